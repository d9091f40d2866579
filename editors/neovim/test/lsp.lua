-- Checks the language server headlessly: opens a file (the tbt buffer starts `tbt lsp`), waits
-- for its diagnostics and prints them, then stops the server.
--
--   cd editors/neovim
--   nvim --headless -u NONE -c "set rtp+=." -c "runtime plugin/tbt.lua" -c "luafile test/lsp.lua" \
--     ../vscode/test/e2e/fixture/checkout.tbt
--
-- `tbt` must be on PATH (or set vim.g.tbt_lsp_cmd). Exits 0 when diagnostics arrived, 1 if not.
local bufnr = vim.api.nvim_get_current_buf()
if vim.bo[bufnr].filetype ~= "tbt" then
  vim.bo[bufnr].filetype = "tbt"
end
-- The client attaches once the server has answered `initialize`.
local clients = {}
vim.wait(10000, function()
  clients = vim.lsp.buf_get_clients(bufnr)
  return not vim.tbl_isempty(clients)
end, 50)
if vim.tbl_isempty(clients) then
  io.stdout:write("no language server attached: is `tbt` executable?\n")
  vim.cmd("cquit 1")
end
local arrived = vim.wait(20000, function()
  return #vim.diagnostic.get(bufnr) > 0
end, 100)
for _, d in ipairs(vim.diagnostic.get(bufnr)) do
  local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code) or "?"
  io.stdout:write(string.format("%d:%d %s %s\n", d.lnum + 1, d.col + 1, code, d.message))
end
vim.lsp.stop_client(vim.tbl_keys(clients))
if arrived then
  vim.cmd("qall!")
else
  io.stdout:write("no diagnostics within 20s\n")
  vim.cmd("cquit 1")
end
