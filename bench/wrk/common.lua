-- Shared by every scenario script: thread numbering, auth header, id files, and a done() that
-- prints the latency distribution as one JSON line (BENCH_JSON {...}) for bench/run.py.
-- Arguments after `--`: <token> [<id file> | <invocation number>]

local threads = {}
local counter = 1

function setup(thread)
   thread:set("tid", counter)
   counter = counter + 1
   table.insert(threads, thread)
end

function auth_headers(token, extra)
   local h = {["Authorization"] = "Bearer " .. token, ["Accept"] = "application/json"}
   for k, v in pairs(extra or {}) do h[k] = v end
   return h
end

function read_ids(path)
   local ids = {}
   for line in io.lines(path) do
      if #line > 0 then ids[#ids + 1] = line end
   end
   assert(#ids > 0, "no ids in " .. path)
   return ids
end

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      'BENCH_JSON {"rps":%.1f,"requests":%d,"duration_us":%d,"bytes":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,' ..
      '"max_us":%d,"mean_us":%.1f,"errors_connect":%d,"errors_read":%d,"errors_write":%d,' ..
      '"errors_status":%d,"errors_timeout":%d}\n',
      summary.requests / (summary.duration / 1e6), summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(90),
      latency:percentile(99), latency.max, latency.mean, e.connect, e.read, e.write, e.status, e.timeout))
end
