-- GET /api/v1/customers/{id}, rotating over ids the caller may read (one per line in args[2]).
dofile("bench/wrk/common.lua")

function init(args)
   headers = auth_headers(args[1])
   ids = read_ids(args[2])
   i = ((tid or 1) * 7919) % #ids
end

function request()
   i = i % #ids + 1
   return wrk.format("GET", "/api/v1/customers/" .. ids[i], headers)
end
