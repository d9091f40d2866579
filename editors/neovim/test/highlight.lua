-- Headless check that this Neovim loads the tbt parser and highlights a file with the queries:
--   nvim --headless -u NONE -l test/highlight.lua FILE      (Neovim 0.9+)
--   nvim --headless -u NONE -c "luafile test/highlight.lua" FILE   (any version)
-- Prints the Neovim version, the tree's error state, and the highlight captures per line.
local root = vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h:h")
vim.opt.runtimepath:prepend(root)
vim.cmd("runtime! plugin/tbt.lua")
vim.cmd("runtime! ftdetect/tbt.vim")

local file = vim.fn.argv()[1] or (root .. "/../../examples/checkout.tbt")
vim.cmd("edit " .. vim.fn.fnameescape(file))
local buf = vim.api.nvim_get_current_buf()
local out = {}
local function say(line) table.insert(out, line) end

local version = vim.version()
say(string.format("nvim %d.%d.%d, filetype=%s", version.major, version.minor, version.patch, vim.bo.filetype))
local tbt = require("tbt")
assert(tbt.register_parser(), "no parser/tbt.so on the runtimepath: run build.sh")
local parser = vim.treesitter.get_parser(buf, "tbt")
local tree = parser:parse()[1]
local root_node = tree:root()
say("root: " .. root_node:type() .. ", has_error: " .. tostring(root_node:has_error()))

local get_query = vim.treesitter.query.get or vim.treesitter.query.get_query or vim.treesitter.get_query
local query = get_query("tbt", "highlights")
assert(query, "no highlights query for tbt on the runtimepath")
for _, name in ipairs({ "locals", "folds", "indents", "injections" }) do
  local ok, q = pcall(get_query, "tbt", name)
  say(name .. ".scm: " .. ((ok and q) and "ok" or ("failed: " .. tostring(q))))
end

local captures, lines = 0, {}
for id, node in query:iter_captures(root_node, buf, 0, -1) do
  captures = captures + 1
  local row, col = node:start()
  lines[row] = lines[row] or {}
  local text = vim.treesitter.get_node_text and vim.treesitter.get_node_text(node, buf)
    or vim.treesitter.query.get_node_text(node, buf)
  table.insert(lines[row], string.format("%s=@%s", text:gsub("\n.*", "…"), query.captures[id]))
end
say("captures: " .. captures)
for row = 0, math.min(vim.api.nvim_buf_line_count(buf) - 1, 40) do
  if lines[row] then
    say(string.format("%3d: %s", row + 1, table.concat(lines[row], "  ")))
  end
end

-- The highlighter itself: attach it (as the FileType autocmd did) and redraw.
vim.cmd("redraw")
say("highlighter active: " .. tostring(vim.treesitter.highlighter.active[buf] ~= nil))

io.stdout:write(table.concat(out, "\n") .. "\n")
vim.cmd("qall!")
