import '@testing-library/jest-dom/vitest';
import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';

afterEach(() => cleanup());

// findBy*/waitFor: the first render of a lazily loaded page is transformed on demand, which on a
// busy two-core machine takes longer than the default second.
configure({ asyncUtilTimeout: 10_000 });

// antd reads these; jsdom has neither.
if (!window.matchMedia) {
  window.matchMedia = (query: string) =>
    ({
      // a desktop-sized window: min-width queries match
      matches: /min-width/.test(query),
      media: query,
      onchange: null,
      addListener: () => {},
      removeListener: () => {},
      addEventListener: () => {},
      removeEventListener: () => {},
      dispatchEvent: () => false,
    }) as MediaQueryList;
}
if (!('ResizeObserver' in window)) {
  (window as unknown as { ResizeObserver: unknown }).ResizeObserver = class {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
}

// jsdom does not do pseudo-elements; antd asks (scrolling to a field, measuring scrollbars).
const computed = window.getComputedStyle.bind(window);
window.getComputedStyle = (element: Element) => computed(element);
Element.prototype.scrollIntoView = Element.prototype.scrollIntoView ?? function scrollIntoView() {};
