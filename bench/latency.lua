-- wrk script: prints one machine-readable line with requests/s and latency percentiles (ms).
-- Other scripts reuse it (dofile) for the same RESULT line. A script that sets the global
-- `expected_status` before loading this file has every other status counted as an error
-- (wrk alone counts only statuses >= 400); without it no response callback runs, so the
-- ceiling (/healthz) is measured on wrk's fast path.
local token = os.getenv("BENCH_TOKEN")
if token and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end

local threads = {}
setup = function(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

if expected_status then
  unexpected = 0
  response = function(status, headers, body)
    if status ~= expected_status then unexpected = unexpected + 1 end
  end
end

done = function(summary, latency, requests)
  local secs = summary.duration / 1e6
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  if expected_status then
    for _, t in ipairs(threads) do errors = errors + (t:get("unexpected") or 0) end
  else
    errors = errors + summary.errors.status
  end
  io.write(string.format("RESULT rps=%.1f p50=%.3f p99=%.3f errors=%d requests=%d\n",
    summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    errors, summary.requests))
end
