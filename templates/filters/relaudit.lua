-- relaudit pandoc filter: defence in depth and engine-neutral layout.
--
-- * Drops raw HTML/TeX/Typst (the reader has raw extensions off; this is a
--   second guard), images that are not relative paths inside the document
--   folder, and links with schemes other than http(s)/mailto or #anchors.
-- * Heading levels: the body starts at level 1 (PDF) or 2 (HTML, under the
--   title's h1) and never skips a level.
-- * Tables: automatic column widths, except PDF tables too wide for the page,
--   which get measured widths and smaller type; HTML tables scroll sideways
--   on narrow screens.
-- * Figures: `fig-alt` becomes the image's alt text.
-- * Fenced divs keep their class in Typst (styled by the template).
-- * Chart data (`:::: {.chart-data}`: a title paragraph, then a table that
--   repeats the chart beside it): folded in HTML (<details>, "Data: title");
--   in the PDF moved to an appendix at the end, with a link where it stood;
--   left in place in other formats.

local stringify = pandoc.utils.stringify
local is_typst = FORMAT:match("typst") ~= nil
local is_html = FORMAT:match("html") ~= nil
local WIDE_TABLE_COLUMNS = 7
-- PDF table geometry (see templates/typst/relaudit.typ): A4 text width, table
-- type size, cell padding, and the average DejaVu Sans character width in em.
local TEXT_WIDTH_PT = 481
local TABLE_FONT_PT = 8.5
local MIN_TABLE_FONT_PT = 6.5
local CELL_INSET = 7.5
local CHAR_EM = 0.61
local LONG_TEXT_CHARACTERS = 45

local function safe_image_path(src)
  if src == "" or src:match("^%a[%w+.-]*:") or src:match("^[/\\~]") or src:find("\\", 1, true) then
    return false
  end
  for part in src:gmatch("[^/]+") do
    if part == ".." then
      return false
    end
  end
  return true
end

local function safe_link_target(target)
  return target:match("^#") ~= nil or target:match("^https?://") ~= nil or target:match("^mailto:") ~= nil
end

local function typst_string(text)
  return '"' .. text:gsub("\\", "\\\\"):gsub('"', '\\"'):gsub("\n", " ") .. '"'
end

local function typst_label(id)
  if id ~= nil and id:match("^[%w_][%w_%-%.:]*$") then
    return "<" .. id .. ">"
  end
  return ""
end

local function typst_markup(inlines)
  return pandoc.write(pandoc.Pandoc({ pandoc.Plain(inlines) }), "typst"):gsub("%s+$", "")
end

local function drop_raw(_)
  return {}
end

local function image_guard(img)
  if not safe_image_path(img.src) then
    return pandoc.Emph({ pandoc.Str("[image not shown]") })
  end
  return nil
end

local function link_guard(link)
  if not safe_link_target(link.target) then
    return link.content
  end
  return nil
end

-- Longest word (header words count 12% wider: they are bold) and longest
-- body text, in characters, of every column.
local function column_extents(tbl)
  local longest_word, longest_text = {}, {}
  for i = 1, #tbl.colspecs do
    longest_word[i], longest_text[i] = 1, 1
  end
  local function measure(rows, weight, is_header)
    for _, row in ipairs(rows) do
      local col = 1
      for _, cell in ipairs(row.cells) do
        local text = stringify(cell.contents)
        local span = cell.col_span or 1
        if span == 1 and col <= #tbl.colspecs then
          for word in text:gmatch("%S+") do
            longest_word[col] = math.max(longest_word[col], weight * (utf8.len(word) or #word))
          end
          if not is_header then
            longest_text[col] = math.max(longest_text[col], utf8.len(text) or #text)
          end
        end
        col = col + span
      end
    end
  end
  measure(tbl.head.rows, 1.12, true)
  for _, body in ipairs(tbl.bodies) do
    measure(body.body, 1.0, false)
  end
  return longest_word, longest_text
end

-- PDF layout of a table that does not fit the text width at the normal size:
-- a font size at which every column's longest word fits, and column widths
-- that give each column that room first, then share the rest by text length.
local function pdf_table_layout(tbl)
  local longest_word, longest_text = column_extents(tbl)
  local n = #tbl.colspecs
  local function natural(size)
    local total = 0
    for i = 1, n do
      total = total + math.max(longest_word[i], longest_text[i]) * CHAR_EM * size + CELL_INSET
    end
    return total
  end
  if natural(TABLE_FONT_PT) <= TEXT_WIDTH_PT then
    return nil
  end
  local words = 0
  for i = 1, n do
    words = words + longest_word[i]
  end
  local size = (TEXT_WIDTH_PT - n * CELL_INSET) / (words * CHAR_EM)
  size = math.max(MIN_TABLE_FONT_PT, math.min(TABLE_FONT_PT, size))
  local minimum, demand, used, wanted = {}, {}, 0, 0
  for i = 1, n do
    minimum[i] = longest_word[i] * CHAR_EM * size + CELL_INSET
    local text = math.min(math.max(longest_text[i], longest_word[i]), LONG_TEXT_CHARACTERS)
    demand[i] = math.max(0, text * CHAR_EM * size + CELL_INSET - minimum[i])
    used = used + minimum[i]
    wanted = wanted + demand[i]
  end
  local spare = math.max(0, TEXT_WIDTH_PT - used)
  local share = wanted > 0 and math.min(1, spare / wanted) or 0
  local widths = {}
  for i = 1, n do
    widths[i] = (minimum[i] + demand[i] * share) / TEXT_WIDTH_PT
  end
  return widths, size
end

local function table_layout(tbl)
  local widths, size = nil, nil
  if is_typst then
    widths, size = pdf_table_layout(tbl)
  end
  for i, spec in ipairs(tbl.colspecs) do
    tbl.colspecs[i] = { spec[1], widths and widths[i] or pandoc.ColWidthDefault }
  end
  if size ~= nil then
    local open = string.format("#relaudit-small-table(%.2fpt)[", size)
    return { pandoc.RawBlock("typst", open), tbl, pandoc.RawBlock("typst", "]") }
  end
  if is_html then
    local classes = { "table-wrap" }
    if #tbl.colspecs >= WIDE_TABLE_COLUMNS then
      table.insert(classes, "table-wide")
    end
    return pandoc.Div({ tbl }, pandoc.Attr("", classes, {}))
  end
  return tbl
end

local function figure_alt(fig)
  local image = nil
  fig:walk({
    Image = function(img)
      image = image or img
    end,
  })
  if image == nil or not safe_image_path(image.src) then
    return nil
  end
  local alt = image.attributes["fig-alt"] or stringify(fig.caption.long)
  if is_typst then
    local src = image.src
    local caption = typst_markup(pandoc.utils.blocks_to_inlines(fig.caption.long))
    local code = "#figure(relaudit-image(" .. typst_string(src) .. ", alt: " .. typst_string(alt) .. "),\n"
      .. "  caption: [" .. caption .. "],\n  kind: image,\n)" .. typst_label(fig.identifier)
    return pandoc.RawBlock("typst", code)
  end
  -- HTML reads the alt attribute, DOCX the image's own description.
  return fig:walk({
    Image = function(img)
      if img.src == image.src then
        img.attributes["alt"] = alt
        img.attributes["fig-alt"] = nil
        img.caption = pandoc.Inlines({ pandoc.Str(alt) })
        return img
      end
    end,
  })
end

local function typst_div(div)
  if not is_typst then
    return nil
  end
  local kind = div.classes[1] or ""
  if not kind:match("^[%w%-_]*$") then
    kind = ""
  end
  local blocks = { pandoc.RawBlock("typst", "#relaudit-div(" .. typst_string(kind) .. ")[") }
  for _, b in ipairs(div.content) do
    table.insert(blocks, b)
  end
  table.insert(blocks, pandoc.RawBlock("typst", "]" .. typst_label(div.identifier)))
  return blocks
end

local DATA_CLASS = "chart-data"
local DATA_APPENDIX_ID = "chart-data"
local DATA_APPENDIX_TITLE = "Appendix: the numbers behind the charts"

local function html_inlines(inlines)
  return pandoc.write(pandoc.Pandoc({ pandoc.Plain(inlines) }), "html"):gsub("%s+$", "")
end

-- The title paragraph and the other blocks of a chart-data div.
local function data_parts(div)
  local first = div.content[1]
  local title = pandoc.Inlines({ pandoc.Str("Data") })
  local rest = {}
  for i, b in ipairs(div.content) do
    if i == 1 and first.t == "Para" then
      title = first.content
    else
      table.insert(rest, b)
    end
  end
  return title, rest
end

-- HTML: a closed <details> block; PDF: moved to the appendix (collected in
-- `moved`, a link left behind); other formats: the blocks where they stood.
local function chart_data(doc)
  local moved = {}
  doc.blocks = doc.blocks:walk({
    Div = function(div)
      if not div.classes:includes(DATA_CLASS) then
        return nil
      end
      local title, rest = data_parts(div)
      if is_html then
        local blocks = {
          pandoc.RawBlock("html", '<details class="chart-data">\n<summary>Data: '
            .. html_inlines(title) .. "</summary>"),
        }
        for _, b in ipairs(rest) do
          table.insert(blocks, b)
        end
        table.insert(blocks, pandoc.RawBlock("html", "</details>"))
        return blocks
      end
      if is_typst then
        local id = "chart-data-" .. tostring(#moved + 1)
        table.insert(moved, { id = id, title = title, blocks = rest })
        local pointer = pandoc.Inlines("The numbers of this chart are in the appendix: ")
        pointer:insert(pandoc.Link(title, "#" .. id))
        pointer:insert(pandoc.Str("."))
        return pandoc.Div({ pandoc.Para(pointer) }, pandoc.Attr("", { "table-note" }, {}))
      end
      return rest
    end,
  })
  if #moved > 0 then
    -- The appendix starts a page of its own (its first table would often not fit
    -- below the last section, leaving its heading alone).
    doc.blocks:insert(pandoc.RawBlock("typst", "#pagebreak(weak: true)"))
    doc.blocks:insert(pandoc.Header(1, pandoc.Inlines(DATA_APPENDIX_TITLE), pandoc.Attr(DATA_APPENDIX_ID)))
    doc.blocks:insert(pandoc.Para(pandoc.Inlines(
      "Each table gives the numbers of one chart, in the order the charts appear."
    )))
    for _, entry in ipairs(moved) do
      doc.blocks:insert(pandoc.Header(2, entry.title, pandoc.Attr(entry.id)))
      for _, b in ipairs(entry.blocks) do
        doc.blocks:insert(b)
      end
    end
  end
  return doc
end

local function normalise_headings(doc)
  local top = is_html and 2 or 1
  local lowest = nil
  doc.blocks:walk({
    Header = function(h)
      lowest = math.min(lowest or h.level, h.level)
    end,
  })
  if lowest == nil then
    return doc
  end
  local previous = top - 1
  doc.blocks = doc.blocks:walk({
    Header = function(h)
      local level = h.level - lowest + top
      if level > previous + 1 then
        level = previous + 1
      end
      h.level = level
      previous = level
      return h
    end,
  })
  return doc
end

return {
  { RawBlock = drop_raw, RawInline = drop_raw },
  { Image = image_guard, Link = link_guard },
  { Pandoc = normalise_headings },
  { Figure = figure_alt },
  { Pandoc = chart_data },
  { Table = table_layout, Div = typst_div },
}
