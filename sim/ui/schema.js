// The New Backtest dialog as data: sections of fields, toggles and listboxes, with the labels,
// suffixes and structures of OptionOmega's real dialog (tests/fixtures/optionomega).
// `model` is a path into the backtest configuration (sim/CONFIG.md); fields without one are
// part of the real dialog but do not change oo-sim's backtest, and keep their own state.

const N = (label, model, suffix, extra = {}) => ({ kind: 'number', label, model, suffix, ...extra })
const T = (label, model, reveals = [], extra = {}) => ({ kind: 'toggle', label, model, reveals, ...extra })
const TM = (label, model) => ({ kind: 'time', label, model })          // label ~ div input[type=time]
const TD = (label, model) => ({ kind: 'time-direct', label, model })   // label ~ input[type=time]
const L = (label, model, options, extra = {}) => ({ kind: 'listbox', label, model, options, ...extra })
const B = (text) => ({ kind: 'button', text })
const minutes = ['1', '2', '5', '10', '15', '30', '60']

export function sections(variant) {
  const dates = { title: 'Dates', items: [{ kind: 'dates' }] }
  const strategy = { title: 'Strategy', items: [
    { kind: 'row', items: [
      L('Ticker', 'ticker', ['SPX', 'SPY', 'QQQ', 'IWM']),
      L('Common Strategies', null, ['Custom', 'Put Credit Spread', 'Call Credit Spread', 'Iron Condor', 'Short Strangle', 'Call Calendar'], { preset: true }),
      { kind: 'listbox-plain', model: null, options: ['Fixed Premium', 'Delta'], initial: 'Fixed Premium', name: 'pricing' },
    ] },
    { kind: 'legs' },
    T('Use Exact DTE', 'useExactDte'),
    { kind: 'round-strikes' },
  ] }
  const funds = { title: 'Funds & Allocation', items: [
    { kind: 'row', items: [
      N('Starting Funds', 'funds.startingFunds', '$'),
      N('Margin Allocation % Per Trade', 'funds.marginAllocationPct', '%'),
      N('Max Open Positions', 'funds.maxOpenPositions'),
      N('Max Contracts Per Trade', 'funds.maxContractsPerTrade'),
      N('Max Allocation Amount Per Trade', 'funds.maxAllocationAmount', '$'),
    ] },
    T('Prune Oldest Trades', 'funds.pruneOldest'),
    T('Ignore Margin Requirements', 'funds.ignoreMargin'),
  ] }
  const entry = { title: 'Entry Conditions', items: [
    { kind: 'row', items: [TM('Entry Time', 'entry.time'), L('Frequency', 'entry.frequency', ['Daily', 'Weekly', 'Monthly'], { lower: true })] },
    B('Add Entry Time'),
    T('Use Floating Entry Time', 'entry.floatingEntryTime'),
    T('Use VIX', 'entry.useVix', [N('Min VIX', 'entry.minVix'), N('Max VIX', 'entry.maxVix')]),
    T('Use Technical Indicators', 'entry.useTechnicalIndicators', [
      N('Min RSI', 'entry.minRsi'), N('Max RSI', 'entry.maxRsi'),
      L('SMA Entry', null, ['None', 'Above', 'Below']),
      { kind: 'ema', label: 'EMA Entry' },
    ]),
    T('Use Gaps', 'entry.useGaps', [N('Min Gap Up', 'entry.minGapUp', '%'), N('Max Gap Up', 'entry.maxGapUp', '%'),
      N('Min Gap Down', 'entry.minGapDown', '%'), N('Max Gap Down', 'entry.maxGapDown', '%')]),
    T('Use Intraday Movement', 'entry.useIntradayMovement', [N('Min Move Up', 'entry.minMoveUp', '%'), N('Max Move Up', 'entry.maxMoveUp', '%'),
      N('Min Move Down', 'entry.minMoveDown', '%'), N('Max Move Down', 'entry.maxMoveDown', '%')]),
    T('Use SqueezeMetrics', null, [N('Min DIX', null), N('Max DIX', null), N('Min GEX', null), N('Max GEX', null), N('Min GXV', null), N('Max GXV', null)]),
    T('Use Opening Range Breakout', null, [TM('Opening Range End Time', null),
      { kind: 'native-select', label: 'Breakout Condition', options: ['High and Low', 'High-Only', 'Low-Only'] },
      T('Use High-Low Values to Calculate Opening Range', null)]),
  ] }
  const legGroups = { title: 'Leg Groups', items: [
    T('Use Leg Groups', null, [{ kind: 'text', label: 'Group Name' }, B('Add Leg Group')]),
  ] }
  const pl = { title: 'Profit & Loss', items: [
    { kind: 'row', items: [
      N('Profit Target', 'pl.profitTarget', null, { unit: 'pl.profitTargetUnit' }),
      N('Stop Loss', 'pl.stopLoss', null, { unit: 'pl.stopLossUnit' }),
    ] },
    T('Per-Leg Stop Loss', 'pl.perLegStopLoss'),
    T('Use Trailing Stop Loss', null, [N('Trailing Stop Activation', null, '%')]),
    T('Use Profit Actions', null, [N('At Profit Target', null, '%'), N('Close Allocation', null, '%'), N('Adjust Stop Loss To', null, '%'), B('Add Profit Action')]),
    T('Use 0-DTE Intra-Minute Stops', null),
  ] }
  const exit = { title: 'Exit Conditions', items: [
    T('Use Early Exit', 'exit.useEarlyExit', [
      { kind: 'input-select', label: 'Early Exit Type', options: ['DTE', 'DIT', 'MIT'] },
      TD('Early Exit Time', 'exit.earlyExitTime'),
    ]),
    T('Use Time Actions', null, [
      { kind: 'input-select', label: 'Action Type', options: ['DTE', 'DIT', 'MIT'] },
      TD('Action Time', null), N('Close Allocation', null, '%'), N('Adjust Stop Loss', null, '%'), N('Adjust Profit Target', null, '%'),
      B('Add Time Action'),
    ]),
    T('Use VIX', 'exit.useVix', [N('Exit When VIX Moves Up', 'exit.exitVixMovesUp'), N('Exit When VIX Moves Down', 'exit.exitVixMovesDown'),
      N('Exit When VIX9D Moves Up', null), N('Exit When VIX9D Moves Down', null),
      N('Exit below VIX9D / VIX Ratio', null), N('Exit above VIX9D / VIX Ratio', null)]),
    T('Use Technical Indicators', null, [N('Min RSI', null), N('Max RSI', null),
      { kind: 'ma-exit', label: 'SMA Exit', sub: 'Days' }, { kind: 'ma-exit', label: 'EMA Exit', sub: 'Minutes' }]),
    T('Use Underlying Price Movement', 'exit.useUnderlyingMovement', [
      N('Exit When Underlying Price Moves Up', 'exit.exitMoveUp', '%'),
      N('Exit When Underlying Price Moves Down', 'exit.exitMoveDown', '%'),
      { kind: 'otm-short-put' },
    ]),
    T('Use Delta', 'exit.useDelta', [N('Exit Below Position Delta', 'exit.exitBelowPositionDelta'), N('Exit Above Position Delta', 'exit.exitAbovePositionDelta'),
      { kind: 'listbox-bare', label: 'Leg', options: ['Leg 1', 'Leg 2', 'Leg 3', 'Leg 4'] },
      N('Exit Below Leg Delta', null), N('Exit Above Leg Delta', null), B('Add Leg Delta Exit')]),
    T('Use Short/Long Ratio', 'exit.useShortLongRatio', [N('Exit When S/L Ratio is Below', 'exit.exitSlRatioBelow'),
      N('Exit When S/L Ratio is Above', 'exit.exitSlRatioAbove'), N('Exit When S/L Ratio Moves Down', null), N('Exit When S/L Ratio Moves Up', null)]),
  ] }
  const misc = { title: 'Misc', items: [
    T('Use Commissions & Fees', 'misc.useCommissions', [N('Per Contract Opening Commissions & Fees', 'misc.openingCommission', '$'),
      N('Per Contract Closing Commissions & Fees', 'misc.closingCommission', '$')]),
    T('Use Slippage', 'misc.useSlippage', [N('Entry Slippage', 'misc.entrySlippage', '$'), N('Exit Slippage', 'misc.exitSlippage', '$'),
      N('Stop Loss Slippage', 'misc.stopLossSlippage', '$')]),
    T('Ignore Trades with Wide Bid-Ask Spread', null),
    T('Close Open Trades on Test Completion', 'misc.closeOpenTradesOnCompletion'),
    T('Cap Non-Opening Losses at Stop Loss', null),
    T('Require Two Consecutive Hits at Stop Loss', null),
    T('Use Min/Max Entry Premium', 'misc.useMinMaxEntryPremium', [N('Min Entry Premium', 'misc.minEntryPremium', '$'), N('Max Entry Premium', 'misc.maxEntryPremium', '$')]),
    T('Use Entry Short/Long Ratio', 'misc.useEntryShortLongRatio', [N('Min Entry S/L Ratio', 'misc.minEntrySlRatio'), N('Max Entry S/L Ratio', 'misc.maxEntrySlRatio')]),
    T('Use Blackout Days', null, [{ kind: 'text', label: 'Blackout Dates' }]),
    T('Re-Enter Trades After Exit', 'misc.reEnterTrades'),
    T('Use CSV Custom Signals File', null),
  ] }
  // The changed UI (--ui-variant 2) moves Misc before the exit rules and Funds after Entry.
  if (variant === 2) return [dates, strategy, entry, funds, legGroups, pl, misc, exit]
  return [dates, strategy, funds, entry, legGroups, pl, exit, misc]
}

export const presets = {
  'Put Credit Spread': [{ side: 'sell', type: 'put', qty: 1, value: 16, dte: 0, linked: false }, { side: 'buy', type: 'put', qty: 1, value: -50, dte: 0, linked: true }],
  'Call Credit Spread': [{ side: 'sell', type: 'call', qty: 1, value: 16, dte: 0, linked: false }, { side: 'buy', type: 'call', qty: 1, value: 50, dte: 0, linked: true }],
  'Iron Condor': [{ side: 'sell', type: 'put', qty: 1, value: 10, dte: 0, linked: false }, { side: 'buy', type: 'put', qty: 1, value: -25, dte: 0, linked: true },
    { side: 'sell', type: 'call', qty: 1, value: 10, dte: 0, linked: false }, { side: 'buy', type: 'call', qty: 1, value: 25, dte: 0, linked: true }],
  'Short Strangle': [{ side: 'sell', type: 'put', qty: 1, value: 16, dte: 45, linked: false }, { side: 'sell', type: 'call', qty: 1, value: 16, dte: 45, linked: false }],
  'Call Calendar': [{ side: 'sell', type: 'call', qty: 1, value: 50, dte: 7, linked: false }, { side: 'buy', type: 'call', qty: 1, value: 50, dte: 35, linked: false }],
}

// Words of the two UIs: the same app, renamed (--ui-variant 2).
export function words(variant) {
  return variant === 2
    ? { signIn: 'Log in', signInClass: 'button-main', submit: 'Continue', newBacktest: 'Create Backtest', run: 'Start Backtest',
        cancel: 'Close', tradeLog: 'Trades', download: 'Export CSV', summary: 'Overview', running: 'Running Backtest', newBtnWrap: 'toolbar' }
    : { signIn: 'Sign in', signInClass: 'btn-primary', submit: 'Sign in', newBacktest: 'New Backtest', run: 'Run',
        cancel: 'Cancel', tradeLog: 'Trade Log', download: 'Download', summary: 'Summary', running: 'Running Backtest', newBtnWrap: 'mt-4' }
}
