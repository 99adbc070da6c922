-- POST /api/v1/tickets: a new ticket each time, tagged so the run removes it (bench/bodies.py ticket_body).
dofile("bench/wrk/common.lua")

function init(args)
   headers = auth_headers(args[1], {["Content-Type"] = "application/json"})
   invocation = tonumber(args[2])
   n = 0
end

function request()
   n = n + 1
   local body = string.format(
      '{"subject":"压测工单 %d-%d-%d","kind":"inquiry","channel":"web","priority":"normal",' ..
      '"tags":["bench-load"],"description":"Opened by the load benchmark."}',
      invocation, tid, n)
   return wrk.format("POST", "/api/v1/tickets", headers, body)
end
