-- PUT a new version of one of 10,000 documents, chosen at random; every body differs.
local documents = tonumber(os.getenv("BENCH_DOCUMENTS") or "10000")
local collection = os.getenv("BENCH_COLLECTION") or "benchw"
local counter = 0
local payload = string.rep("x", 120)
request = function()
  counter = counter + 1
  local body = '{"n":' .. counter .. ',"text":"' .. payload .. '"}'
  return wrk.format("PUT", "/v1/" .. collection .. "/d" .. math.random(0, documents - 1),
    {["Content-Type"] = "application/json"}, body)
end
