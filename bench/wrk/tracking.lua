-- GET the open pixel or a click redirect, rotating over the signed links of the bench tracking
-- tenant's deliveries (one path per line in args[1]; bench/tracking.py writes them).
dofile("bench/wrk/common.lua")

function init(args)
   paths = read_ids(args[1])
   headers = {["User-Agent"] = "Mozilla/5.0 (bench; wrk) AppleWebKit/537.36 Mail/16.0", ["Accept"] = "image/*,*/*"}
   i = ((tid or 1) * 7919) % #paths
end

function request()
   i = i % #paths + 1
   return wrk.format("GET", paths[i], headers)
end
