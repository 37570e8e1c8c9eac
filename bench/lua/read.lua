-- GET of documents written beforehand (bench/run writes d0 .. d999 of collection "bench").
local documents = tonumber(os.getenv("BENCH_DOCUMENTS") or "1000")
request = function()
  return wrk.format("GET", "/v1/bench/d" .. math.random(0, documents - 1))
end
