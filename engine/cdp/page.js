// page.js: oo-automator's helper inside every page it drives (embedded in the binary, installed
// for every document). It resolves selectors — CSS with native :has(), Playwright's :has-text(),
// :text-is(), :text(), :visible and ">> nth=N" chains, the Recorder's aria/, text/, xpath/ and
// pierce/ prefixes, selector paths through shadow roots and iframes — and waits in the page,
// on animation frames and DOM mutations, until an element is ready; the engine's C side never
// polls. Every function answers a plain object and never throws.
(() => {
  const VERSION = 2;
  if (globalThis.__oo && globalThis.__oo.version === VERSION) return;

  // ---- text ---------------------------------------------------------------------------------
  const norm = s => (s || '').replace(/\s+/g, ' ').trim();
  const textOf = el => norm(el.innerText !== undefined && el.isConnected && el.offsetParent !== undefined ? el.textContent : el.textContent);
  const unquote = s => {
    s = s.trim();
    if ((s[0] === '"' || s[0] === "'") && s[s.length - 1] === s[0]) return s.slice(1, -1).replace(/\\(.)/g, '$1');
    return s;
  };

  // ---- a small parser: top-level splits that respect quotes, brackets and parentheses ----------
  function splitTop(s, sep) {
    const out = []; let depth = 0, q = null, cur = '', i = 0
    while (i < s.length) {
      const c = s[i]
      if (q) { cur += c; if (c === '\\') { cur += s[i + 1] || ''; i += 2; continue } if (c === q) q = null; i++; continue }
      if (c === '"' || c === "'") { q = c; cur += c; i++; continue }
      if (c === '(' || c === '[') depth++
      if (c === ')' || c === ']') depth--
      if (depth === 0 && s.startsWith(sep, i)) { out.push(cur); cur = ''; i += sep.length; continue }
      cur += c; i++
    }
    out.push(cur)
    return out
  }

  const EXT = ['has-text', 'text-is', 'text', 'visible', 'has', 'not', 'is']
  // Splits a complex selector into compounds and combinators: [{compound}, '>', {compound}, ...]
  function parseComplex(s) {
    const parts = []; let cur = '', depth = 0, q = null
    const push = () => { if (cur.trim()) parts.push(parseCompound(cur.trim())); cur = '' }
    for (let i = 0; i < s.length; i++) {
      const c = s[i]
      if (q) { cur += c; if (c === '\\') { cur += s[++i] || '' } else if (c === q) q = null; continue }
      if (c === '"' || c === "'") { q = c; cur += c; continue }
      if (c === '(' || c === '[') depth++
      if (c === ')' || c === ']') depth--
      if (depth === 0 && (c === '>' || c === '+' || c === '~')) { push(); parts.push(c); continue }
      if (depth === 0 && /\s/.test(c)) {
        // a descendant combinator unless another combinator follows
        let j = i; while (j < s.length && /\s/.test(s[j])) j++
        if (cur.trim() && j < s.length && !'>+~'.includes(s[j])) { push(); parts.push(' ') }
        i = j - 1
        continue
      }
      cur += c
    }
    push()
    return parts
  }
  // A compound: its native CSS and its extended pseudo-classes.
  function parseCompound(s) {
    let native = '', ext = [], i = 0, q = null
    while (i < s.length) {
      const c = s[i]
      if (c === ':' && s[i + 1] !== ':') {
        const m = /^:([a-zA-Z-]+)/.exec(s.slice(i))
        if (m && EXT.includes(m[1])) {
          let j = i + m[0].length, arg = null
          if (s[j] === '(') {
            let depth = 0, k = j
            for (; k < s.length; k++) {
              const ch = s[k]
              if (q) { if (ch === '\\') k++; else if (ch === q) q = null; continue }
              if (ch === '"' || ch === "'") { q = ch; continue }
              if (ch === '(') depth++
              if (ch === ')' && --depth === 0) break
            }
            arg = s.slice(j + 1, k); j = k + 1
          }
          const name = m[1]
          const needsExt = ['has-text', 'text-is', 'text', 'visible'].includes(name) || (arg !== null && hasExt(arg))
          if (needsExt) { ext.push({ name, arg }); i = j; continue }
          native += s.slice(i, j); i = j; continue
        }
      }
      if (c === '"' || c === "'") { const end = s.indexOf(c, i + 1); native += s.slice(i, end + 1); i = end + 1; continue }
      if (c === '[') { const end = s.indexOf(']', i); native += s.slice(i, end + 1); i = end + 1; continue }
      native += c; i++
    }
    return { native: native || '*', ext }
  }
  const hasExt = s => /:(has-text|text-is|text|visible)\b/.test(s)

  // ---- matching --------------------------------------------------------------------------------
  function visible(el) {
    if (!el || !el.isConnected) return false
    const st = getComputedStyle(el)
    if (st.visibility === 'hidden' || st.visibility === 'collapse') return false
    const r = el.getBoundingClientRect()
    if (r.width <= 0 || r.height <= 0) { if (st.display === 'contents') return [...el.children].some(visible); return false }
    return true
  }
  function extHolds(el, e) {
    switch (e.name) {
      case 'has-text': return norm(el.textContent).toLowerCase().includes(norm(unquote(e.arg)).toLowerCase())
      case 'text': return norm(el.textContent).toLowerCase().includes(norm(unquote(e.arg)).toLowerCase())
      case 'text-is': return norm(el.textContent) === norm(unquote(e.arg))
      case 'visible': return visible(el)
      case 'has': return relHas(el, e.arg)
      case 'not': return !matchesSelector(el, e.arg)
      case 'is': return matchesSelector(el, e.arg)
    }
    return false
  }
  function compoundMatches(el, c) {
    try { if (!el.matches(c.native)) return false } catch (e) { throw new Error('invalid selector: ' + c.native) }
    return c.ext.every(e => extHolds(el, e))
  }
  // Does el match the complex selector (parts) ending at index k?
  function complexMatches(el, parts, k) {
    if (!compoundMatches(el, parts[k])) return false
    if (k === 0) return true
    const comb = parts[k - 1], prev = k - 2
    if (comb === '>') return !!el.parentElement && complexMatches(el.parentElement, parts, prev)
    if (comb === ' ') { for (let a = el.parentElement; a; a = a.parentElement) if (complexMatches(a, parts, prev)) return true; return false }
    if (comb === '+') return !!el.previousElementSibling && complexMatches(el.previousElementSibling, parts, prev)
    if (comb === '~') { for (let s = el.previousElementSibling; s; s = s.previousElementSibling) if (complexMatches(s, parts, prev)) return true; return false }
    return false
  }
  function matchesSelector(el, sel) {
    return splitTop(sel, ',').some(one => { const parts = parseComplex(one.trim()); return complexMatches(el, parts, parts.length - 1) })
  }
  // :has(<relative selector>) with extended pseudos inside
  function relHas(el, arg) {
    return splitTop(arg, ',').some(one => {
      one = one.trim()
      const first = one[0]
      if (first === '+' || first === '~' || first === '>') {
        const rest = one.slice(1).trim(), parts = parseComplex(rest)
        const cands = first === '+' ? [el.nextElementSibling].filter(Boolean)
          : first === '~' ? siblingsAfter(el) : [...el.children]
        // the first compound must be one of those; the rest descends from it
        return cands.some(c => queryComplexFrom(c, parts, true).length > 0)
      }
      return queryAll(el, one).length > 0
    })
  }
  const siblingsAfter = el => { const out = []; for (let s = el.nextElementSibling; s; s = s.nextElementSibling) out.push(s); return out }
  // Elements matching parts where the first compound is `start` itself (anchored) .
  function queryComplexFrom(start, parts, anchored) {
    if (!compoundMatches(start, parts[0])) return []
    if (parts.length === 1) return [start]
    const out = []
    for (const cand of start.querySelectorAll('*')) if (complexMatchesAnchored(cand, parts, parts.length - 1, start)) out.push(cand)
    for (const sib of siblingsAfter(start)) { if (complexMatchesAnchored(sib, parts, parts.length - 1, start)) out.push(sib); for (const d of sib.querySelectorAll('*')) if (complexMatchesAnchored(d, parts, parts.length - 1, start)) out.push(d) }
    return anchored ? out : out
  }
  function complexMatchesAnchored(el, parts, k, anchor) {
    if (k === 0) return el === anchor && compoundMatches(el, parts[0])
    if (!compoundMatches(el, parts[k])) return false
    const comb = parts[k - 1], prev = k - 2
    if (comb === '>') return !!el.parentElement && complexMatchesAnchored(el.parentElement, parts, prev, anchor)
    if (comb === ' ') { for (let a = el.parentElement; a; a = a.parentElement) if (complexMatchesAnchored(a, parts, prev, anchor)) return true; return false }
    if (comb === '+') return !!el.previousElementSibling && complexMatchesAnchored(el.previousElementSibling, parts, prev, anchor)
    if (comb === '~') { for (let s = el.previousElementSibling; s; s = s.previousElementSibling) if (complexMatchesAnchored(s, parts, prev, anchor)) return true; return false }
    return false
  }

  // All elements under root matching a CSS selector (with the extensions).
  function queryAll(root, sel) {
    if (!hasExt(sel)) {
      try { return [...root.querySelectorAll(sel)] } catch (e) { throw new Error('invalid selector: ' + sel) }
    }
    const out = new Set()
    for (const one of splitTop(sel, ',')) {
      const parts = parseComplex(one.trim())
      const last = parts[parts.length - 1]
      let cands
      try { cands = root.querySelectorAll(last.native) } catch (e) { throw new Error('invalid selector: ' + one.trim()) }
      for (const el of cands) if (complexMatches(el, parts, parts.length - 1) && (root === el.ownerDocument || root.contains(el))) out.add(el)
    }
    return [...out].sort((a, b) => (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1))
  }

  // ---- the Recorder's prefixes -------------------------------------------------------------
  const implicitRole = el => {
    const t = el.tagName.toLowerCase(), type = (el.getAttribute('type') || '').toLowerCase()
    if (el.getAttribute('role')) return el.getAttribute('role')
    if (t === 'button' || (t === 'input' && ['button', 'submit', 'reset'].includes(type))) return 'button'
    if (t === 'a' && el.hasAttribute('href')) return 'link'
    if (/^h[1-6]$/.test(t)) return 'heading'
    if (t === 'input' && type === 'checkbox') return 'checkbox'
    if (t === 'input' && type === 'radio') return 'radio'
    if (t === 'input' || t === 'textarea') return 'textbox'
    if (t === 'select') return 'combobox'
    if (t === 'img') return 'img'
    return ''
  }
  function accessibleName(el) {
    const lab = el.getAttribute('aria-label'); if (lab) return norm(lab)
    const by = el.getAttribute('aria-labelledby')
    if (by) return norm(by.split(/\s+/).map(id => { const x = el.ownerDocument.getElementById(id); return x ? x.textContent : '' }).join(' '))
    if (el.id) { const l = el.ownerDocument.querySelector(`label[for="${CSS.escape(el.id)}"]`); if (l) return norm(l.textContent) }
    const wrap = el.closest('label'); if (wrap && wrap !== el && ['INPUT', 'SELECT', 'TEXTAREA'].includes(el.tagName)) return norm(wrap.textContent)
    if (el.getAttribute('alt')) return norm(el.getAttribute('alt'))
    if (['INPUT', 'TEXTAREA'].includes(el.tagName) && el.getAttribute('placeholder')) return norm(el.getAttribute('placeholder'))
    if (el.getAttribute('title')) return norm(el.getAttribute('title'))
    return norm(el.textContent)
  }
  function allDeep(root) {
    const out = []
    const walk = r => { for (const el of r.querySelectorAll('*')) { out.push(el); if (el.shadowRoot) walk(el.shadowRoot) } }
    walk(root)
    return out
  }
  const innermost = els => els.filter(el => !els.some(o => o !== el && el.contains(o)))
  // The elements under root (shadow roots included, in allDeep's order) whose text holds t
  // (exact: is t). An element whose text does not hold t, whatever the case, has no descendant
  // whose text does: its subtree is skipped, but for the shadow roots in it (their text is not
  // its text). Reading every element's text on a page of thousands (a 500-row trade log) cost a
  // wait for a text/ selector most of its check.
  const NOT_TEXT = new Set(['SCRIPT', 'STYLE', 'HEAD', 'HTML'])
  function withText(root, t, exact) {
    const tl = t.toLowerCase(), out = []
    const walk = r => {
      const els = r.querySelectorAll('*')
      for (let i = 0; i < els.length; i++) {
        const el = els[i], text = norm(el.textContent), holds = text.toLowerCase().includes(tl)
        if (holds && !NOT_TEXT.has(el.tagName) && (!exact || text === t)) out.push(el)
        if (el.shadowRoot) walk(el.shadowRoot)
        if (holds) continue
        let j = i + 1
        for (; j < els.length && el.contains(els[j]); j++) if (els[j].shadowRoot) walk(els[j].shadowRoot)
        i = j - 1
      }
    }
    walk(root)
    return out
  }
  function queryOne(root, sel) {
    sel = sel.trim()
    if (sel.startsWith('aria/')) {
      const m = /^aria\/(.*?)(?:\[role=["']?([\w-]+)["']?\])?$/.exec(sel)
      const name = norm(m[1]), role = m[2]
      // as in the accessibility tree: elements with a role, or named explicitly (a <label> or a
      // plain <span> is text there, not a named node)
      return allDeep(root).filter(el => (!role || implicitRole(el) === role) &&
        (implicitRole(el) || el.hasAttribute('aria-label') || el.hasAttribute('aria-labelledby')) && accessibleName(el) === name)
    }
    if (sel.startsWith('text/') || sel.startsWith('text=')) {
      let t = sel.slice(5), exact = false
      if (t[0] === '"' && t[t.length - 1] === '"') { exact = true; t = t.slice(1, -1) }
      return innermost(withText(root, norm(t), exact))
    }
    if (sel.startsWith('xpath/') || sel.startsWith('xpath=') || sel.startsWith('//')) {
      const x = sel.startsWith('//') ? sel : sel.slice(6)
      const doc = root.ownerDocument || root, out = []
      const it = doc.evaluate(x, root, null, XPathResult.ORDERED_NODE_SNAPSHOT_TYPE, null)
      for (let i = 0; i < it.snapshotLength; i++) if (it.snapshotItem(i).nodeType === 1) out.push(it.snapshotItem(i))
      return out
    }
    if (sel.startsWith('pierce/')) {
      const css = sel.slice(7)
      return allDeep(root).filter(el => { try { return el.matches(css) } catch (e) { throw new Error('invalid selector: ' + css) } })
    }
    if (sel.startsWith('css=')) sel = sel.slice(4)
    // Playwright chains: A >> B >> nth=N
    const chain = splitTop(sel, '>>').map(s => s.trim())
    let set = [root]
    for (const part of chain) {
      const nth = /^nth=(-?\d+)$/.exec(part), vis = /^visible=(true|false)$/.exec(part)
      if (nth) { const n = +nth[1]; const el = n < 0 ? set[set.length + n] : set[n]; set = el ? [el] : []; continue }
      if (vis) { set = set.filter(el => visible(el) === (vis[1] === 'true')); continue }
      const next = []
      for (const r of set) for (const el of (part.startsWith('text=') || part.startsWith('xpath') || part.startsWith('aria/') || part.startsWith('text/')) ? queryOne(r, part) : queryAll(r, part)) if (!next.includes(el)) next.push(el)
      set = next
    }
    return set.filter(el => el !== root)
  }

  // ---- targets: alternatives, shadow/iframe paths, frames ----------------------------------------
  function frameRoot(frame) {
    let win = window
    for (const i of frame || []) {
      win = win.frames[i]
      if (!win) throw new Error('no frame ' + JSON.stringify(frame))
      try { void win.document } catch (e) { throw new Error('frame ' + JSON.stringify(frame) + ' is cross-origin') }
    }
    return win.document
  }
  const alternatives = t => {
    const s = t && t.selectors !== undefined ? t.selectors : t
    if (typeof s === 'string') return [[s]]
    return (s || []).map(a => (Array.isArray(a) ? a : [a]))
  }
  const label = alt => alt.join(' >>> ')
  // Every element matching one alternative (a path: each part inside the previous match's shadow
  // root or iframe document).
  function resolveAlt(doc, alt) {
    let roots = [doc]
    alt.forEach((part, i) => {
      const found = []
      for (const r of roots) for (const el of queryOne(r, part)) found.push(el)
      if (i === alt.length - 1) { roots = found; return }
      roots = found.map(el => el.shadowRoot || (el.tagName === 'IFRAME' && el.contentDocument) || null).filter(Boolean)
    })
    return roots
  }
  function frameOffset(el) {
    let x = 0, y = 0, win = el.ownerDocument.defaultView
    while (win && win !== window.top && win.frameElement) {
      const fe = win.frameElement, r = fe.getBoundingClientRect(), st = getComputedStyle(fe)
      x += r.left + parseFloat(st.borderLeftWidth) + parseFloat(st.paddingLeft)
      y += r.top + parseFloat(st.borderTopWidth) + parseFloat(st.paddingTop)
      win = win.parent
    }
    return { x, y }
  }
  function enabled(el) {
    if (el.disabled) return false
    if (el.closest('fieldset[disabled]') && !el.closest('legend')) return false
    for (let a = el; a; a = a.parentElement) if (a.getAttribute && a.getAttribute('aria-disabled') === 'true') return false
    return true
  }
  function describe(el) {
    if (!el) return 'nothing'
    let d = '<' + el.tagName.toLowerCase()
    if (el.id) d += ` id="${el.id}"`
    if (el.className && typeof el.className === 'string') d += ` class="${el.className.trim().slice(0, 60)}"`
    return d + '>'
  }
  // The deepest element at a point, through shadow roots.
  function hitAt(doc, x, y) {
    let el = doc.elementFromPoint(x, y)
    while (el && el.shadowRoot) { const inner = el.shadowRoot.elementFromPoint(x, y); if (!inner || inner === el) break; el = inner }
    return el
  }
  const contains = (a, b) => { for (let n = b; n; n = n.parentNode || n.host) if (n === a) return true; return false }

  // ---- waiting: at once on a DOM mutation, else every 50 ms, less often as a wait goes on (an
  // action: every animation frame) --
  // Animation frames seen by the actions' waits: "stable" means the same box in two different frames.
  let frameNo = 0
  const endless = a => { try { const t = a.effect && a.effect.getComputedTiming(); return !!t && t.endTime === Infinity } catch (e) { return false } }
  // onWait(tick), when given, receives the wait's check: to run it at once when something else
  // than a DOM change or the clock may have made it true.
  function poll(check, timeoutMs, everyFrame, onWait) {
    // ready at once (the usual case): no observer, frame or timer at all
    let first
    try { first = check(false) } catch (e) { return Promise.resolve({ ok: false, error: String(e.message || e) }) }
    // an action's answer says how many animation frames it waited (0: ready at once)
    if (first) { if (everyFrame && typeof first === 'object') first.frames = 0; return Promise.resolve(first) }
    return new Promise(resolve => {
      const deadline = performance.now() + (timeoutMs || 30000)
      let done = false, raf = 0, timer = 0, frames = 0
      const mo = new MutationObserver(() => tick())
      // A long wait (not an action's) pauses every endless animation meanwhile (a spinner):
      // no one watches it, and each of its frames costs the renderer style, paint and
      // compositing, about a quarter of a core. Finite animations and transitions run on (the
      // page may wait for their end); the paused ones play again when the wait is over.
      const paused = []
      const still = () => {
        if (everyFrame) return
        try {
          for (const a of document.getAnimations()) if (a.playState === 'running' && endless(a)) { a.pause(); paused.push(a) }
        } catch (e) {}
      }
      const finish = v => {
        if (done) return
        done = true; mo.disconnect(); cancelAnimationFrame(raf); clearTimeout(timer)
        for (const a of paused) try { if (a.playState === 'paused') a.play() } catch (e) {}
        if (everyFrame && v && typeof v === 'object') v.frames = frames
        resolve(v)
      }
      function tick() {
        if (done) return
        let r
        try { r = check(performance.now() >= deadline) } catch (e) { finish({ ok: false, error: String(e.message || e) }); return }
        if (r) { finish(r); return }
        if (performance.now() >= deadline) { finish(check(true) || { ok: false, timeout: true, error: 'timed out' }); return }
        still()
      }
      // An action's short wait for a stable box checks every animation frame (everyFrame). Any
      // other wait checks at once on a DOM change and by a timer besides, never asking for
      // animation frames: a frame requested makes the renderer run style, layout and paint on
      // its main thread, 60 times a second for as long as the wait lasts (a whole backtest).
      // The timer is for what changes without a DOM mutation (a transition's end, a layout):
      // every 50 ms at first, then, as the wait goes on, less often, up to every 250 ms after a
      // second. A long wait (a backtest) costs the renderer a check 4 times a second instead of
      // 20 (a check of a text/ selector reads the whole page's text: on a results page that
      // still holds a 500-row trade log, a tenth of a core at 20 a second).
      const started = performance.now()
      const every = () => Math.min(250, 50 + Math.max(0, performance.now() - started - 200) / 4)
      const next = everyFrame
        ? () => { if (!done) { raf = requestAnimationFrame(frame); clearTimeout(timer); timer = setTimeout(tick, 100) } }
        : () => { if (!done) { clearTimeout(timer); timer = setTimeout(() => { tick(); next() }, every()) } }
      const frame = () => { frameNo++; frames++; tick(); next() }
      try { mo.observe(document, { subtree: true, childList: true, attributes: true, characterData: true }) } catch (e) {}
      if (onWait) onWait(tick)
      // frameNo counts real animation frames only: the check made now is in the same frame as
      // the one made above
      tick()
      next()
      // the page may be hidden (no frames): the deadline still holds
      setTimeout(() => tick(), Math.max(0, deadline - performance.now()) + 5)
    })
  }

  // Is el, or an element it sits in, moved by a running animation or transition that will end?
  // (An endless one, a pulsing button, is left to the two-frame box test.)
  const GEOMETRY = /^(transform|translate|rotate|scale|left|top|right|bottom|inset|width|height|margin|padding)/i
  function moving(el) {
    for (let n = el; n; n = n.parentElement || (n.getRootNode && n.getRootNode().host) || null) {
      if (!n.getAnimations) continue
      for (const a of n.getAnimations()) {
        if (a.playState !== 'running' || !a.effect) continue
        const t = a.effect.getComputedTiming ? a.effect.getComputedTiming() : null
        if (t && t.endTime === Infinity) continue
        if (typeof CSSTransition !== 'undefined' && a instanceof CSSTransition) { if (GEOMETRY.test(a.transitionProperty)) return true; continue }
        const kf = a.effect.getKeyframes ? a.effect.getKeyframes() : []
        if (kf.some(k => Object.keys(k).some(p => GEOMETRY.test(p)))) return true
      }
    }
    return false
  }
  // Properties whose animation moves nothing but the element animated (no layout): a spinner's
  // rotation, a fade, a colour. Keyframes name them in camelCase, transitions in kebab-case.
  const NEUTRAL = /^(transform|translate|rotate|scale|opacity|color|background(-color|-position|-image)?|border(-(top|right|bottom|left))?-color|outline-color|box-shadow|text-shadow|filter|backdrop-filter|fill|stroke|stroke-dashoffset)$/
  const KEYFRAME_META = new Set(['offset', 'easing', 'composite', 'computedOffset'])
  const kebab = p => p.replace(/[A-Z]/g, m => '-' + m.toLowerCase())
  function neutral(a) {
    try {
      if (typeof CSSTransition !== 'undefined' && a instanceof CSSTransition) return NEUTRAL.test(a.transitionProperty)
      const kf = a.effect.getKeyframes ? a.effect.getKeyframes() : null
      return !!kf && kf.length > 0 && kf.every(k => Object.keys(k).every(p => KEYFRAME_META.has(p) || NEUTRAL.test(kebab(p))))
    } catch (e) { return false }
  }
  // Can a running animation or transition of el's document move el? One on el or an element it
  // sits in can; one elsewhere only when it animates layout (a height, a margin: what follows it
  // shifts). A spinner turning or a switch sliding elsewhere cannot: a ready element need not
  // wait an animation frame for them.
  function mayMove(el) {
    const doc = el.ownerDocument
    if (!doc.getAnimations) return true
    for (const a of doc.getAnimations()) {
      if (a.playState !== 'running') continue
      const t = a.effect && a.effect.target
      if (!t || contains(t, el) || !neutral(a)) return true
    }
    return false
  }
  const stable = new WeakMap()
  const boxKey = r => `${r.x},${r.y},${r.width},${r.height}`
  const pointIn = (r, opts) => ({ x: opts.offsetX !== undefined ? r.left + opts.offsetX : r.left + r.width / 2,
                                  y: opts.offsetY !== undefined ? r.top + opts.offsetY : r.top + r.height / 2 })
  // Does el receive the pointer at its action point? The element found there, when it is el, in
  // el, or a label of el, says yes.
  function receives(el, p) {
    const hit = hitAt(el.ownerDocument, p.x, p.y)
    return { ok: !!hit && (contains(el, hit) || (hit.tagName === 'LABEL' && hit.control === el)), by: hit }
  }
  // The action point where el receives the pointer. A field can be inside the window and still be
  // covered: by a sticky footer or header of the scrolling container it sits in, or clipped by
  // that container while a footer after it takes its place (a dialog's body scrolls, its footer
  // stays). Then every scrollable ancestor is scrolled to bring el to the middle of its
  // scrollport (then to its end, then its start) and the point is tested again.
  // Answers { p, r, scrolled } or { covered: true, by }.
  function hitTest(el, r, opts) {
    let p = pointIn(r, opts), got = receives(el, p)
    if (got.ok) return { p, r, scrolled: false }
    for (const block of ['center', 'end', 'start']) {
      el.scrollIntoView({ block, inline: 'center', behavior: 'instant' })
      r = el.getBoundingClientRect(); p = pointIn(r, opts)
      const again = receives(el, p)
      if (again.ok) return { p, r, scrolled: true }
    }
    return { covered: true, by: got.by }
  }
  function actionable(t, opts) {
    const action = opts.action || 'click', tried = []
    const doc = frameRoot(t && t.frame)
    for (const alt of alternatives(t)) {
      let els
      try { els = resolveAlt(doc, alt) } catch (e) { tried.push({ selector: label(alt), reason: String(e.message) }); continue }
      if (!els.length) { tried.push({ selector: label(alt), reason: 'no element matches' }); continue }
      const el = els[0]
      if (!visible(el)) { tried.push({ selector: label(alt), reason: 'not visible: ' + describe(el) }); continue }
      if ((action === 'click' || action === 'dblclick' || action === 'fill') && !enabled(el)) { tried.push({ selector: label(alt), reason: 'disabled: ' + describe(el) }); continue }
      if (action === 'fill' && (el.readOnly)) { tried.push({ selector: label(alt), reason: 'read-only: ' + describe(el) }); continue }
      let r = el.getBoundingClientRect()
      const vw = el.ownerDocument.defaultView.innerWidth, vh = el.ownerDocument.defaultView.innerHeight
      if (r.bottom < 0 || r.right < 0 || r.top > vh || r.left > vw || r.top < 0 || r.left < 0 || r.bottom > vh || r.right > vw) {
        el.scrollIntoView({ block: 'center', inline: 'center', behavior: 'instant' })
        r = el.getBoundingClientRect()
      }
      // stable: the same box in two different animation frames. Without a running CSS animation
      // or transition that can move it (mayMove), nothing CSS is moving it: one box will do.
      // (A fill needs no stability, as in Playwright.)
      const key = boxKey(r)
      const prev = stable.get(el)
      if (!prev || prev.key !== key) stable.set(el, { key, frame: frameNo })
      const animating = action !== 'fill' && mayMove(el)
      // a finite animation or transition that moves it (or an ancestor) is still under way: the
      // box may hold still for a frame or two (an animation waiting for its start time)
      if (animating && moving(el)) { tried.push({ selector: label(alt), reason: 'not stable (animating)' }); continue }
      if (animating && (!prev || prev.key !== key || prev.frame === frameNo)) { tried.push({ selector: label(alt), reason: 'not stable (moving)' }); continue }
      const hit = action !== 'fill' && !opts.force ? hitTest(el, r, opts) : null
      if (hit && hit.covered) { tried.push({ selector: label(alt), reason: describe(hit.by) + ' intercepts pointer events' }); continue }
      // scrolled to be uncovered: the box moved, so it must hold still for a frame where anything animates
      if (hit && hit.scrolled && animating) { stable.set(el, { key: boxKey(hit.r), frame: frameNo }); tried.push({ selector: label(alt), reason: 'not stable (scrolled)' }); continue }
      const p = hit ? hit.p : pointIn(r, opts), off = frameOffset(el)
      return { ok: true, x: p.x + off.x, y: p.y + off.y, el, selector: label(alt) }
    }
    return { ok: false, tried }
  }
  const strip = r => { const o = { ...r }; delete o.el; return o }
  const fail = (what, r) => ({ ok: false, timeout: true, error: what, tried: r.tried || [] })

  async function actionPoint(t, opts = {}) {
    return poll(last => { const r = actionable(t, opts); return r.ok ? strip(r) : last ? fail(`no element was ready to ${opts.action || 'click'}`, r) : null }, opts.timeoutMs, true)
  }

  const setNative = (el, value) => {
    const proto = el instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : el instanceof HTMLSelectElement ? HTMLSelectElement.prototype : HTMLInputElement.prototype
    Object.getOwnPropertyDescriptor(proto, 'value').set.call(el, value)
  }
  const fire = (el, type) => el.dispatchEvent(new Event(type, { bubbles: true }))
  let lastFill = null
  // Does the page listen for what typing fires before the text goes in (beforeinput, the older
  // textInput) on the field, an element or shadow host around it, its document or window?
  // getListeners is DevTools' getEventListeners (the engine's call passes it); without it, yes.
  function hearsTyping(el, getListeners) {
    if (typeof getListeners !== 'function') return true
    const nodes = []
    for (let n = el; n; n = n.parentNode || n.host) nodes.push(n)
    nodes.push(el.ownerDocument.defaultView)
    try { return nodes.some(n => { const l = getListeners(n) || {}; return !!((l.beforeinput && l.beforeinput.length) || (l.textInput && l.textInput.length)) }) } catch (e) { return true }
  }
  async function prepareFill(t, value, opts = {}, getListeners) {
    return poll(last => {
      const r = actionable(t, { action: 'fill' })
      if (!r.ok) return last ? fail('no element was ready to fill', r) : null
      const el = r.el, tag = el.tagName, type = (el.getAttribute('type') || '').toLowerCase()
      el.focus()
      if (tag === 'SELECT') {
        const opt = [...el.options].find(o => o.value === value || norm(o.textContent) === norm(value))
        if (!opt) return { ok: false, error: `no option "${value}" in ${describe(el)}`, tried: [{ selector: r.selector, reason: 'no such option' }] }
        setNative(el, opt.value); fire(el, 'input'); fire(el, 'change')
        return { ok: true, mode: 'done' }
      }
      if (tag === 'INPUT' && ['checkbox', 'radio'].includes(type)) {
        const want = value === 'true' || value === 'on' || value === true
        if (el.checked === want) return { ok: true, mode: 'done' }
        return { ok: true, mode: 'click', x: r.x, y: r.y }
      }
      if (tag === 'INPUT' && ['date', 'time', 'datetime-local', 'month', 'week', 'color', 'range'].includes(type)) {
        setNative(el, value); fire(el, 'input'); fire(el, 'change')
        return { ok: true, mode: 'done' }
      }
      if (el.isContentEditable) {
        const sel = el.ownerDocument.getSelection(), range = el.ownerDocument.createRange()
        range.selectNodeContents(el); sel.removeAllRanges(); sel.addRange(range)
        lastFill = { el, before: el.textContent }
        return { ok: true, mode: 'insertText' }
      }
      lastFill = { el, before: el.value }
      if (value === '') { setNative(el, ''); fire(el, 'input'); fire(el, 'change'); return { ok: true, mode: 'done' } }
      const selectAll = () => { try { el.select() } catch (e) { el.setSelectionRange && el.setSelectionRange(0, el.value.length) } }
      selectAll()
      if (type === 'number' && el.value !== '') { setNative(el, ''); fire(el, 'input') }
      // Where nothing listens for beforeinput, the editor inserts the text here and now as for
      // typed text (a trusted input event), then change: the whole fill in this one call. A page
      // that listens for beforeinput (an input mask, an editor) gets Input.insertText next, which
      // fires it as typing does; so does a field that did not take the text as given.
      if (el.ownerDocument.activeElement === el && el.ownerDocument.execCommand && !hearsTyping(el, getListeners)) {
        let ok = false
        try { ok = el.ownerDocument.execCommand('insertText', false, value) } catch (e) {}
        if (ok && el.value === value) { lastFill = null; fire(el, 'change'); return { ok: true, mode: 'done' } }
        selectAll()
      }
      return { ok: true, mode: 'insertText' }
    }, opts.timeoutMs)
  }
  function afterFill() {
    if (lastFill && lastFill.el.isConnected) fire(lastFill.el, 'change')
    lastFill = null
    return { ok: true }
  }

  function countOk(n, opts) {
    if (opts.count === undefined) return n > 0
    switch (opts.operator || '>=') { case '==': return n === opts.count; case '<=': return n <= opts.count; default: return n >= opts.count }
  }
  function propertyOf(el, path) { return path.split('.').reduce((o, k) => (o == null ? undefined : o[k]), el) }
  async function waitFor(t, opts = {}) {
    const state = opts.state || 'attached'
    return poll(last => {
      const doc = frameRoot(t && t.frame), tried = []
      let index = 0
      for (const alt of alternatives(t)) {
        index++
        let els
        try { els = resolveAlt(doc, alt) } catch (e) { tried.push({ selector: label(alt), reason: String(e.message) }); continue }
        if (state === 'visible' || opts.visible === true) els = els.filter(visible)
        if (opts.attributes) els = els.filter(el => Object.entries(opts.attributes).every(([k, v]) => el.getAttribute(k) === String(v)))
        if (opts.properties) els = els.filter(el => Object.entries(opts.properties).every(([k, v]) => JSON.stringify(propertyOf(el, k)) === JSON.stringify(v)))
        if (state === 'hidden' || state === 'detached' || opts.visible === false) {
          const still = state === 'detached' ? els.length : els.filter(visible).length
          if (still === 0) return { ok: true, count: 0 }
          tried.push({ selector: label(alt), reason: `${still} element(s) still ${state === 'detached' ? 'attached' : 'visible'}` })
          continue
        }
        if (countOk(els.length, opts)) return { ok: true, count: els.length, alternative: index }
        tried.push({ selector: label(alt), reason: opts.count !== undefined ? `count is ${els.length}, wanted ${opts.operator || '>='} ${opts.count}` : `no element ${state === 'visible' ? 'visible' : 'matches'}` })
      }
      return last ? fail(`waiting for ${state} timed out`, { tried }) : null
    }, opts.timeoutMs)
  }

  // An expression true at once answers at once, with no poll. Each answer of a promise that is
  // true wakes the wait (it comes after the check that asked for it). A promise that never
  // settles leaves the wait to its deadline.
  async function waitForExpression(src, opts = {}) {
    let lastErr = null, pending = false, value, wake = null
    const answer = v => ({ ok: true, value: typeof v === 'object' ? null : v })
    const settle = p => {
      pending = true
      Promise.resolve(p).then(v => { value = v; pending = false; lastErr = null; if (v && wake) wake() },
                              e => { lastErr = e; pending = false; value = undefined })
    }
    const run = () => { if (!pending) settle(Promise.resolve().then(() => (0, eval)(src))) }
    try {
      const first = (0, eval)(src)
      if (first && typeof first.then === 'function') settle(first); else value = first
    } catch (e) { lastErr = e }
    if (value) return answer(value)
    return poll(last => {
      if (value) return answer(value)
      run()
      return last ? { ok: false, timeout: true, error: 'the expression stayed false' + (lastErr ? ': ' + lastErr : '') } : null
    }, opts.timeoutMs, false, tick => { wake = tick })
  }

  function query(t) {
    const tried = []
    let first = null
    const doc = frameRoot(t && t.frame)
    for (const alt of alternatives(t)) {
      try { const els = resolveAlt(doc, alt); tried.push({ selector: label(alt), count: els.length, visible: els.filter(visible).length }); if (!first && els.length) first = els[0] }
      catch (e) { tried.push({ selector: label(alt), count: 0, visible: 0, reason: String(e.message) }) }
    }
    const count = tried.reduce((n, x) => Math.max(n, x.count), 0)
    return { ok: true, count, visible: !!first && visible(first), enabled: !!first && enabled(first), text: first ? norm(first.textContent).slice(0, 500) : null, tag: first ? first.tagName.toLowerCase() : null, tried }
  }
  const firstEl = t => { const doc = frameRoot(t && t.frame); for (const alt of alternatives(t)) { const els = resolveAlt(doc, alt); if (els.length) return els[0] } return null }
  const wrap = fn => (...a) => { try { return fn(...a) } catch (e) { return { ok: false, error: String(e.message || e) } } }

  const api = {
    version: VERSION,
    actionPoint, prepareFill, afterFill: wrap(afterFill), waitFor, waitForExpression,
    query: wrap(query),
    count: wrap(t => ({ ok: true, count: query(t).count })),
    inputValue: wrap(t => { const el = firstEl(t); return el ? { ok: true, value: el.value !== undefined ? el.value : el.textContent } : { ok: false, error: 'no element matches' } }),
    text: wrap(t => { const el = firstEl(t); return el ? { ok: true, value: norm(el.textContent) } : { ok: false, error: 'no element matches' } }),
    attr: wrap((t, o) => { const el = firstEl(t); return el ? { ok: true, value: el.getAttribute(o.name) } : { ok: false, error: 'no element matches' } }),
    scroll: wrap((t, o) => { if (t) { const el = firstEl(t); if (!el) return { ok: false, error: 'no element matches' }; el.scrollTo(o.x || 0, o.y || 0) } else window.scrollTo(o.x || 0, o.y || 0); return { ok: true } }),
    html: wrap(() => {
      const clone = document.documentElement.cloneNode(true)
      for (const p of clone.querySelectorAll('input[type=password]')) { p.removeAttribute('value'); p.setAttribute('value', '') }
      return { ok: true, html: '<!DOCTYPE html>\n' + clone.outerHTML }
    }),
    parse: wrap(sel => { for (const one of splitTop(sel, ',')) parseComplex(one); return { ok: true } }),
  }
  Object.defineProperty(globalThis, '__oo', { value: api, configurable: true, enumerable: false, writable: false })
})()
