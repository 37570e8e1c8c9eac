-- The node's cheapest route: the HTTP ceiling.
request = function()
  return wrk.format("GET", "/health/alive")
end
