-- The tbt filetype, tree-sitter highlighting for it and the language server (see
-- lua/tbt/init.lua).
if vim.g.loaded_tbt then
  return
end
vim.g.loaded_tbt = true

if vim.filetype and vim.filetype.add then
  vim.filetype.add({ extension = { tbt = "tbt" } })
end

vim.api.nvim_create_autocmd("FileType", {
  pattern = "tbt",
  callback = function(args)
    require("tbt").start(args.buf)
    if vim.g.tbt_lsp ~= false then
      require("tbt").start_lsp(args.buf)
    end
  end,
})
