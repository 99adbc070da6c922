-- PATCH /api/v1/customers/{id} (level and description), rotating over ids the caller may update so
-- that concurrent requests rarely wait on the same row (bench/bodies.py patch_body).
dofile("bench/wrk/common.lua")

local levels = {"A", "B", "C", "D"}

function init(args)
   headers = auth_headers(args[1], {["Content-Type"] = "application/json"})
   ids = read_ids(args[2])
   invocation = tonumber(args[3])
   i = ((tid or 1) * math.floor(#ids / 2 + 1)) % #ids
   n = 0
end

function request()
   n = n + 1
   i = i % #ids + 1
   local body = string.format('{"level":"%s","description":"bench patch %d-%d-%d"}',
                              levels[n % 4 + 1], invocation, tid, n)
   return wrk.format("PATCH", "/api/v1/customers/" .. ids[i], headers, body)
end
