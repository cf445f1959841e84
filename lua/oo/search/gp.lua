-- oo.search.gp: Gaussian-process regression on points of [0, 1]^d, the surrogate of the
-- `optimize` mode. Generic numerics: it knows nothing of OptionOmega, of metrics or of runs.
--
-- Kernel: Matern 5/2 with one length scale per dimension (ARD), a nugget for the roughness of
-- real backtest surfaces, a constant mean estimated by generalised least squares, and the
-- signal variance profiled out of the likelihood. Hyper-parameters (length scales, nugget) are
-- chosen by the profile likelihood over a fixed ladder of values: no random restarts, so the
-- same data give the same model, bit for bit.
--
--   local m = gp.fit(X, y[, hyper])   -- X: {{x1..xd}, ...}; y: {numbers}; hyper: {ls = {...}, g = n}
--   m.hyper                           -- what was chosen
--   local c = m:candidate(x)          -- the posterior at x: c.mu, c.var (latent, without nugget)
--   m:condition(c)                    -- a "kriging believer" fantasy: later candidates' variances
--                                        are conditioned on an observation at c (mean unchanged)
--   gp.ei(mu, sd, best)               -- expected improvement over best (maximisation)
local M = {}

local exp, sqrt, log, abs = math.exp, math.sqrt, math.log, math.abs
local S5 = sqrt(5)

-- Matern 5/2 correlation of two points with inverse length scales il[d]
local function corr(a, b, il, d)
  local r2 = 0
  for k = 1, d do
    local t = (a[k] - b[k]) * il[k]
    r2 = r2 + t * t
  end
  if r2 == 0 then return 1 end
  local r = S5 * sqrt(r2)
  return (1 + r + r * r / 3) * exp(-r)
end
M.corr = corr

local function inv(ls)
  local il = {}
  for k = 1, #ls do il[k] = 1 / ls[k] end
  return il
end

-- Cholesky factor (rows, lower) of the correlation matrix plus g on the diagonal; nil when it is
-- not positive definite.
local function cholesky(X, il, g)
  local n, d = #X, #il
  local L = {}
  for i = 1, n do
    local Li, xi = {}, X[i]
    for j = 1, i do
      local Lj = L[j] or Li
      local s = (i == j) and (1 + g) or corr(xi, X[j], il, d)
      for k = 1, j - 1 do s = s - Li[k] * Lj[k] end
      if i == j then
        if s <= 1e-12 then return nil end
        Li[i] = sqrt(s)
      else
        Li[j] = s / Lj[j]
      end
    end
    L[i] = Li
  end
  return L
end

-- Solves L z = b (forward substitution).
local function forward(L, b, n)
  local z = {}
  for i = 1, n do
    local Li, s = L[i], b[i]
    for k = 1, i - 1 do s = s - Li[k] * z[k] end
    z[i] = s / Li[i]
  end
  return z
end

-- Solves L^T z = b (backward substitution).
local function backward(L, b, n)
  local z = {}
  for i = n, 1, -1 do
    local s = b[i]
    for k = i + 1, n do s = s - L[k][i] * z[k] end
    z[i] = s / L[i][i]
  end
  return z
end

-- The model for fixed hyper-parameters, with its profile log-likelihood; nil when singular.
local function build(X, y, ls, g)
  local n = #X
  local il = inv(ls)
  local L = cholesky(X, il, g)
  if not L then return nil end
  local ones = {}
  for i = 1, n do ones[i] = 1 end
  local a, b = forward(L, y, n), forward(L, ones, n)
  local ab, bb = 0, 0
  for i = 1, n do ab, bb = ab + a[i] * b[i], bb + b[i] * b[i] end
  local mean = ab / bb
  local r, ss = {}, 0
  for i = 1, n do
    r[i] = a[i] - mean * b[i]
    ss = ss + r[i] * r[i]
  end
  local s2 = math.max(ss / n, 1e-12)
  local logdet = 0
  for i = 1, n do logdet = logdet + log(L[i][i]) end
  return { X = X, n = n, d = #ls, ls = ls, il = il, g = g, L = L, mean = mean, s2 = s2,
           alpha = backward(L, r, n), loglik = -0.5 * n * log(s2) - logdet }
end

M.ladder = { 0.05, 0.08, 0.13, 0.2, 0.32, 0.5, 0.8, 1.3, 2 }
M.nuggets = { 1e-6, 1e-3, 1e-2, 0.05, 0.2 }

-- Chooses hyper-parameters: an isotropic length scale and a nugget from the ladders, then one
-- pass per dimension over the ladder with the others held.
local function choose(X, y, d)
  local best
  local function try(ls, g)
    local m = build(X, y, ls, g)
    if m and (not best or m.loglik > best.loglik + 1e-9) then best = m end
  end
  for _, l in ipairs(M.ladder) do
    local ls = {}
    for k = 1, d do ls[k] = l end
    try(ls, 1e-3)
  end
  if not best then return nil end
  local base = best.ls
  for _, g in ipairs(M.nuggets) do try(base, g) end
  if d > 1 then
    for k = 1, d do
      local cur, g = best.ls, best.g
      for _, l in ipairs(M.ladder) do
        if l ~= cur[k] then
          local ls = {}
          for j = 1, d do ls[j] = cur[j] end
          ls[k] = l
          try(ls, g)
        end
      end
    end
  end
  return best
end

local C = {}
C.__index = C

-- At most M.max_choose points choose the hyper-parameters (a Cholesky is n^3/6 and the ladder
-- takes some forty): the best half of them by y, and the rest spread evenly over the others in
-- their order. The model itself is then fitted on every point.
M.max_choose = 100

local function subset(X, y)
  local n = #X
  if n <= M.max_choose then return X, y end
  local order = {}
  for i = 1, n do order[i] = i end
  table.sort(order, function(a, b)
    if y[a] ~= y[b] then return y[a] > y[b] end
    return a < b
  end)
  local top, keep = M.max_choose // 2, {}
  for i = 1, top do keep[order[i]] = true end
  local rest = {}
  for i = 1, n do if not keep[i] then rest[#rest + 1] = i end end
  local want = M.max_choose - top
  for j = 1, want do keep[rest[math.floor((j - 1) * #rest / want) + 1]] = true end
  local SX, Sy = {}, {}
  for i = 1, n do
    if keep[i] then SX[#SX + 1], Sy[#Sy + 1] = X[i], y[i] end
  end
  return SX, Sy
end

function M.fit(X, y, hyper)
  if #X == 0 then return nil end
  local d = #X[1]
  if not hyper then
    local SX, Sy = subset(X, y)
    local chosen = choose(SX, Sy, d)
    if not chosen then return nil end
    hyper = { ls = chosen.ls, g = chosen.g }
  end
  local m = build(X, y, hyper.ls, hyper.g)
  if not m then m = build(X, y, hyper.ls, math.max(hyper.g * 10, 1e-4)) end
  if not m then return nil end
  m.hyper = { ls = m.ls, g = m.g }
  m.picked = {}
  return setmetatable(m, C)
end

-- The posterior mean at x (cheap: no solve).
function C:mean_at(x)
  local X, il, d, alpha = self.X, self.il, self.d, self.alpha
  local s = self.mean
  for i = 1, self.n do s = s + alpha[i] * corr(x, X[i], il, d) end
  return s
end

-- The posterior at x: {x, mu, var, v (L^-1 k), w (its weights against the fantasies so far)}.
function C:candidate(x, mu)
  local n, X, il, d = self.n, self.X, self.il, self.d
  local k = {}
  for i = 1, n do k[i] = corr(x, X[i], il, d) end
  local v = forward(self.L, k, n)
  local vv = 0
  for i = 1, n do vv = vv + v[i] * v[i] end
  local c = { x = x, v = v, mu = mu or self:mean_at(x), var = self.s2 * math.max(1 - vv, 1e-9), w = {} }
  self:update(c)
  return c
end

-- Brings a candidate's variance up to date with the fantasies added since it was computed.
function C:update(c)
  for j = #c.w + 1, #self.picked do
    local p = self.picked[j]
    local cov = self.s2 * (corr(c.x, p.x, self.il, self.d) - self:dot(c.v, p.v))
    for i = 1, j - 1 do cov = cov - c.w[i] * p.w[i] end
    local wj = cov / p.scale
    c.w[j] = wj
    c.var = math.max(c.var - wj * wj, self.s2 * 1e-9)
  end
end

function C:dot(a, b)
  local s = 0
  for i = 1, self.n do s = s + a[i] * b[i] end
  return s
end

-- Conditions later candidates on a fantasy observation at c (c must be up to date).
function C:condition(c)
  self:update(c)
  c.scale = sqrt(c.var + self.s2 * self.g)
  self.picked[#self.picked + 1] = c
end

-- Standard normal density and distribution (erfc by Numerical Recipes' Chebyshev fit,
-- relative error under 1.2e-7: plenty for ranking candidates).
local function pdf(z) return exp(-0.5 * z * z) / 2.5066282746310002 end
local function erfc(x)
  local z = abs(x)
  local t = 1 / (1 + 0.5 * z)
  local r = t * exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 +
    t * 0.17087277)))))))))
  return x >= 0 and r or 2 - r
end
local function cdf(z) return 0.5 * erfc(-z / 1.4142135623730951) end
M.cdf, M.pdf = cdf, pdf

function M.ei(mu, sd, best)
  local diff = mu - best
  if sd <= 0 then return math.max(diff, 0) end
  local z = diff / sd
  return diff * cdf(z) + sd * pdf(z)
end

return M
