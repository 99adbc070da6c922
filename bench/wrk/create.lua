-- POST /api/v1/customers with a fresh name, email and phone each time (bench/bodies.py create_body).
dofile("bench/wrk/common.lua")

function init(args)
   headers = auth_headers(args[1], {["Content-Type"] = "application/json"})
   invocation = tonumber(args[2])
   n = 0
end

function request()
   n = n + 1
   local body = string.format(
      '{"name":"压测客户 %d-%d-%d","kind":"company","customer_type":"smb","industry":"technology",' ..
      '"level":"B","status":"prospect","source":"website","phone":"+86 10%03d%d%05d",' ..
      '"email":"load-%d-%d-%d@load.bench.example.com","tags":["new"],' ..
      '"description":"Created by the load benchmark."}',
      invocation, tid, n, invocation % 1000, tid % 10, n % 100000, invocation, tid, n)
   return wrk.format("POST", "/api/v1/customers", headers, body)
end
