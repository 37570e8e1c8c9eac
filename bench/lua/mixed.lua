-- 80 % GET, 20 % PUT over the 1,000 documents of collection "bench".
local documents = tonumber(os.getenv("BENCH_DOCUMENTS") or "1000")
local counter = 0
request = function()
  local path = "/v1/bench/d" .. math.random(0, documents - 1)
  if math.random() < 0.8 then
    return wrk.format("GET", path)
  end
  counter = counter + 1
  return wrk.format("PUT", path, {["Content-Type"] = "application/json"},
    '{"n":' .. counter .. ',"text":"mixed"}')
end
