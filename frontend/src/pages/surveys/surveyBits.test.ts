import { describe, expect, it } from 'vitest';
import { answersOf, type Question } from './surveyBits';

const q = (id: string, type: Question['type']): Question => ({ id, type, text: id, required: false, choices: [] });

describe('answersOf', () => {
  it('leaves out unanswered questions and trims text', () => {
    const questions = [q('sat', 'rating'), q('nps', 'nps'), q('many', 'multiple'), q('say', 'text'), q('other', 'text')];
    expect(answersOf(questions, { sat: 5, nps: 0, many: [], say: '  fine  ', other: '   ', extra: 1 })).toEqual({
      sat: 5,
      nps: 0,
      say: 'fine',
    });
  });
});
