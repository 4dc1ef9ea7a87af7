-- wrk script: like latency.lua, but every status other than 200 counts as an error.
expected_status = 200
dofile("bench/latency.lua")
