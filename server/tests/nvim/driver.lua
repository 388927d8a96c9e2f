-- Drives a real headless Neovim against the perforch language server for
-- server/tests/nvim_e2e.rs. It opens $PERFORCH_FILE with the editors/nvim
-- config, then runs the steps of $PERFORCH_STEPS (a JSON list, each
-- `{"do": NAME, ...}`) in order, recording what each saw under
-- results.steps[i]. Results go to $PERFORCH_OUT as JSON; any failure is
-- written there too (with the step and what was seen so far), then Neovim quits.
local out_path = assert(os.getenv('PERFORCH_OUT'))
local results = { steps = {}, progress = {} }

local function finish(err)
  results.error = err
  local file = assert(io.open(out_path, 'w'))
  file:write(vim.json.encode(results))
  file:close()
  vim.cmd('qa!')
end

local bufnr, client

--- Waits up to `ms` for `condition`, failing with `what` when it never holds.
local function wait(ms, what, condition)
  if not vim.wait(ms, condition, 50) then
    error('timed out after ' .. ms .. ' ms waiting for ' .. what, 0)
  end
end

local function buffer_text()
  return table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n') .. '\n'
end

local function perforch_diagnostics()
  local found = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.source == 'perforch' then
      table.insert(found, {
        code = d.code,
        message = d.message,
        severity = d.severity,
        lnum = d.lnum,
        col = d.col,
      })
    end
  end
  return found
end

local function has_code(code)
  for _, d in ipairs(perforch_diagnostics()) do
    if d.code == code then
      return true
    end
  end
  return false
end

--- The titles of the code actions at the cursor, as the plugin asks for them.
local function action_titles()
  local params = vim.lsp.util.make_range_params(0, client.offset_encoding)
  params.context = { diagnostics = {} }
  local responses = vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction', params, 10000)
  local titles = {}
  for _, response in pairs(responses or {}) do
    for _, action in ipairs(response.result or {}) do
      table.insert(titles, action.title)
    end
  end
  return titles
end

--- Progress values of perforch's jobs, in order (LspProgress events).
vim.api.nvim_create_autocmd('LspProgress', {
  callback = function(event)
    local params = event.data.params
    table.insert(results.progress, {
      token = params.token,
      kind = params.value.kind,
      title = params.value.title,
      message = params.value.message,
      percentage = params.value.percentage,
    })
  end,
})

local function progress_count(kind)
  local n = 0
  for _, p in ipairs(results.progress) do
    if p.kind == kind then
      n = n + 1
    end
  end
  return n
end

local function last_progress(kind)
  for i = #results.progress, 1, -1 do
    if results.progress[i].kind == kind then
      return results.progress[i]
    end
  end
end

local steps = {
  -- Put the cursor on the first occurrence of `text` (1-based line, byte column).
  cursor = function(step)
    local lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
    for i, line in ipairs(lines) do
      local col = line:find(step.text, 1, true)
      if col then
        vim.api.nvim_win_set_cursor(0, { i, col - 1 })
        return { line = i - 1, col = col - 1 }
      end
    end
    error('no ' .. vim.inspect(step.text) .. ' in the buffer', 0)
  end,
  actions = function()
    return { titles = action_titles() }
  end,
  -- Run an Ex command (the plugin's :Perforch* commands).
  command = function(step)
    vim.cmd(step.command)
    return {}
  end,
  -- Wait for the next job's progress to begin (`count` begins in all).
  progress_begin = function(step)
    wait(step.timeout or 30000, 'a job to begin', function()
      return progress_count('begin') >= step.count
    end)
    return last_progress('begin')
  end,
  -- Wait for a progress report whose message contains `text`.
  progress_message = function(step)
    wait(step.timeout or 60000, 'progress saying ' .. step.text, function()
      for _, p in ipairs(results.progress) do
        if p.message and p.message:find(step.text, 1, true) then
          return true
        end
      end
      return false
    end)
    return {}
  end,
  -- Wait for `count` jobs' progress to have ended.
  progress_end = function(step)
    wait(step.timeout or 300000, 'the job to end', function()
      return progress_count('end') >= step.count
    end)
    return last_progress('end')
  end,
  -- Wait until a perforch diagnostic with `code` is shown (or, with
  -- `absent`, until none is).
  diagnostic = function(step)
    local what = (step.absent and 'no ' or '') .. 'diagnostic ' .. step.code
    wait(step.timeout or 30000, what, function()
      return has_code(step.code) ~= (step.absent == true)
    end)
    return { diagnostics = perforch_diagnostics() }
  end,
  -- Run :PerforchApply and wait for the buffer to change.
  apply = function(step)
    local before = vim.api.nvim_buf_get_changedtick(bufnr)
    vim.cmd('PerforchApply')
    wait(step.timeout or 15000, 'the quick fix to change the buffer', function()
      return vim.api.nvim_buf_get_changedtick(bufnr) ~= before
    end)
    return { text = buffer_text() }
  end,
  -- Replace the first `old` on a line with `new`, as the user typing.
  edit = function(step)
    local lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
    for i, line in ipairs(lines) do
      local col = line:find(step.old, 1, true)
      if col then
        vim.api.nvim_buf_set_text(bufnr, i - 1, col - 1, i - 1, col - 1 + #step.old, { step.new })
        return {}
      end
    end
    error('no ' .. vim.inspect(step.old) .. ' to edit', 0)
  end,
  -- Let the editor and server run for `ms` (to show something did not happen).
  pause = function(step)
    vim.wait(step.ms, function()
      return false
    end, 50)
    return {}
  end,
  buffer = function()
    return { text = buffer_text(), diagnostics = perforch_diagnostics() }
  end,
}

local current_step
local ok, err = xpcall(function()
  vim.opt.runtimepath:prepend(os.getenv('PERFORCH_RTP'))
  vim.cmd('runtime! plugin/perforch.lua')
  vim.lsp.config('perforch', {
    cmd = { os.getenv('PERFORCH_BIN'), 'lsp', '--stdio' },
    init_options = vim.json.decode(os.getenv('PERFORCH_INIT') or '{}'),
  })
  vim.lsp.enable('perforch')
  vim.cmd.edit(os.getenv('PERFORCH_FILE'))
  bufnr = vim.api.nvim_get_current_buf()
  wait(15000, 'perforch to attach to ' .. vim.bo.filetype, function()
    return #vim.lsp.get_clients({ bufnr = bufnr, name = 'perforch' }) > 0
  end)
  client = vim.lsp.get_clients({ bufnr = bufnr, name = 'perforch' })[1]
  results.filetype = vim.bo.filetype
  results.encoding = client.offset_encoding
  results.commands = {}
  for _, name in ipairs({ 'PerforchOptimize', 'PerforchApply', 'PerforchReport', 'PerforchCancel' }) do
    results.commands[name] = vim.fn.exists(':' .. name) == 2
  end
  -- Messages Neovim would show the user (e.g. "No code actions available").
  results.messages = {}
  local notify = vim.notify
  vim.notify = function(message, level, opts)
    table.insert(results.messages, tostring(message))
    return notify(message, level, opts)
  end

  for i, step in ipairs(vim.json.decode(os.getenv('PERFORCH_STEPS') or '[]')) do
    current_step = i .. ' (' .. step['do'] .. ')'
    local run = steps[step['do']] or error('unknown step ' .. step['do'], 0)
    results.steps[i] = run(step)
  end
end, debug.traceback)
finish(ok and vim.NIL or ('step ' .. tostring(current_step) .. ': ' .. tostring(err)))
