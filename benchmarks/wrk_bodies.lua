-- wrk script: POST a different pre-signed Lever webhook body on every request, so none is a
-- repeat. The bodies file (one JSON body a line) is written by benchmarks/ack.py; each wrk
-- thread takes every n-th line. Without a bodies file it sends GETs (the no-op baseline).
-- At the end it prints one machine-readable line: "RESULT <json>".

local threads = {}
local counter = 0

function setup(thread)
  thread:set("index", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  bodies = {}
  next_body = 1
  local path = os.getenv("WRK_BODIES")
  if path and path ~= "" then
    local n = 0
    for line in io.lines(path) do
      if n % counter_total() == index then
        table.insert(bodies, line)
      end
      n = n + 1
    end
  end
end

function counter_total()
  return tonumber(os.getenv("WRK_THREADS") or "1")
end

function request()
  if #bodies == 0 then
    return wrk.format("GET")
  end
  local body = bodies[next_body]
  next_body = next_body + 1
  if next_body > #bodies then
    next_body = 1
  end
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, ' ..
    '"max_us": %d, "mean_us": %.1f, "connect_errors": %d, "read_errors": %d, ' ..
    '"write_errors": %d, "status_errors": %d, "timeouts": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean, e.connect, e.read, e.write, e.status,
    e.timeout))
end
