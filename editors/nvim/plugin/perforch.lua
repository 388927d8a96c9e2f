-- perforch commands for Neovim 0.11+. The language server does the work;
-- these commands pick its code actions and commands for the cursor's function.
if vim.g.loaded_perforch then
  return
end
vim.g.loaded_perforch = true

local ACTION_KIND = 'refactor.rewrite.perforch'

--- Run perforch's code action at the cursor whose title contains `wanted`.
local function run_action(wanted)
  vim.lsp.buf.code_action({
    context = { only = { ACTION_KIND, 'quickfix' }, diagnostics = {} },
    filter = function(action)
      return action.title:find(wanted, 1, true) ~= nil
    end,
    apply = true,
  })
end

vim.api.nvim_create_user_command('PerforchOptimize', function(opts)
  local goal = opts.args ~= '' and opts.args or 'speed'
  run_action('for ' .. goal)
end, {
  nargs = '?',
  complete = function()
    return { 'speed', 'memory' }
  end,
  desc = 'perforch: optimize the function under the cursor',
})

vim.api.nvim_create_user_command('PerforchApply', function()
  run_action('Apply optimized')
end, { desc = 'perforch: apply the verified variant of the function under the cursor' })

-- The server offers these as code actions on the function while they apply.
vim.api.nvim_create_user_command('PerforchReport', function()
  run_action('Show perforch report')
end, { desc = "perforch: open the report of the cursor's function's last job" })

vim.api.nvim_create_user_command('PerforchCancel', function()
  run_action('Cancel perforch')
end, { desc = "perforch: cancel the job running for the cursor's function" })
