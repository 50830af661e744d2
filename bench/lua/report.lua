-- Shared by every bench script (wrk runs with bench/lua as its working directory):
-- numbers each thread, sums the per-thread count of bad bodies, and prints one JSON
-- line that bench/wrk.py reads. Latencies are in microseconds.
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + (thread:get("bad") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_us":%d,"bytes":%d,"p50_us":%d,"p99_us":%d,'
      .. '"max_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,'
      .. '"bad_body":%d}\n',
    summary.requests, summary.duration, summary.bytes,
    math.floor(latency:percentile(50)), math.floor(latency:percentile(99)),
    math.floor(latency.max), e.connect, e.read, e.write, e.status, e.timeout, bad))
end

-- One name or address per line.
function read_lines(path)
  local out = {}
  for line in io.lines(path) do
    if line ~= "" then out[#out + 1] = line end
  end
  return out
end
