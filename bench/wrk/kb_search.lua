-- GET /api/v1/kb/articles?q=..., rotating over the search paths listed one per line in args[2].
dofile("bench/wrk/common.lua")

function init(args)
   headers = auth_headers(args[1])
   paths = read_ids(args[2])
   i = ((tid or 1) * 7919) % #paths
end

function request()
   i = i % #paths + 1
   return wrk.format("GET", paths[i], headers)
end
