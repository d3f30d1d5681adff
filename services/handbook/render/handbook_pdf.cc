#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <ctime>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "services/handbook/render/handbook_images.h"
#include "services/handbook/render/handbook_render.h"
#include "services/handbook/render/handbook_text.h"

namespace branchline::handbook {

namespace {

// A4 in points (1/72 inch), the unit of the whole file: the Pango context is set to 72 dpi,
// so a 10 pt font is 10 units high.
constexpr double kPageWidth = 595.28;
constexpr double kPageHeight = 841.89;
constexpr double kMarginX = 56.0;  // about 2 cm, room for a binder's holes
constexpr double kMarginTop = 56.0;
constexpr double kContentWidth = kPageWidth - 2 * kMarginX;
constexpr double kContentBottom = kPageHeight - 64.0;  // the footer sits below
constexpr double kFooterTop = kPageHeight - 44.0;
constexpr double kRunningHeadTop = 30.0;
constexpr double kCellPaddingX = 4.0;
constexpr double kCellPaddingY = 3.0;
constexpr double kBlockGap = 8.0;
constexpr double kHeadingAbove = 6.0;
constexpr double kHeadingBelow = 6.0;
constexpr double kEpsilon = 0.01;  // points; line positions are sums of Pango units
constexpr char kFontFamily[] = "Noto Sans CJK SC";

struct Style {
  double size;  // points
  bool bold;
};
constexpr Style kTitleStyle{20, true};
constexpr Style kSubjectStyle{14, false};
constexpr Style kSubtitleStyle{10, false};
constexpr Style kHeadingStyle{13, true};
constexpr Style kEmphasisStyle{10.5, true};
constexpr Style kBodyStyle{10, false};
constexpr Style kTableTitleStyle{10, true};
constexpr Style kCellStyle{9, false};
constexpr Style kHeaderCellStyle{9, true};
// Wide tables (the meetings, with ten counts) in a smaller size, so that their one text
// column is not squeezed to a few characters a line. 8 pt Noto Sans CJK still prints clearly.
constexpr size_t kDenseColumns = 10;
constexpr Style kDenseCellStyle{8, false};
constexpr Style kDenseHeaderCellStyle{8, true};
constexpr Style kMarginStyle{8, false};
// A meeting's photos: each thumbnail scaled into a box of 4:3 (the shape of most phone
// photos), three boxes to a row across the text width.
constexpr double kThumbnailWidth = 120.0;
constexpr double kThumbnailHeight = 90.0;
constexpr double kThumbnailGap = 8.0;
constexpr int kThumbnailsPerRow = 3;
constexpr double kNoteGap = 4.0;     // above "另有 N 张照片未显示"
constexpr double kHeadingGap = 4.0;  // around the line naming a meeting without minutes
static_assert(kThumbnailsPerRow * kThumbnailWidth + (kThumbnailsPerRow - 1) * kThumbnailGap <=
              kContentWidth);

double Points(int pango_units) { return static_cast<double>(pango_units) / PANGO_SCALE; }

// Layouts are shared: a table's header row is drawn again on every page the table continues on.
using LayoutPtr = std::shared_ptr<PangoLayout>;

// A laid-out text, and where each of its lines ends, so that a page can end between lines.
struct Text {
  LayoutPtr layout;
  double width = 0;  // logical extents
  double height = 0;
  std::vector<double> line_ends;  // bottom of each line, from the top of the text
};

// The lines of `layout` between `from` and `to` (line ends), drawn with `from` at (x, y).
struct PlacedText {
  LayoutPtr layout;
  double x, y, from, to;
};

// The frame of a table cell; header cells are shaded.
struct PlacedCell {
  double x, y, width, height;
  bool header;
};

// A horizontal rule under the title block.
struct PlacedRule {
  double x, y, width;
};

// A photo's thumbnail, drawn into the rectangle; decoded again when its page is painted, so
// that only one page's pixels are held at a time.
struct PlacedImage {
  uint64_t file_id;
  double x, y, width, height;
};

struct Page {
  std::vector<PlacedCell> cells;
  std::vector<PlacedRule> rules;
  std::vector<PlacedText> texts;
  std::vector<PlacedImage> images;
};

// The largest line end of `text` within `room` below `from`; `from` itself when not even the
// next line fits.
double LastLineEndWithin(const Text& text, double from, double room) {
  double end = from;
  for (double line_end : text.line_ends) {
    if (line_end <= from + kEpsilon) continue;
    if (line_end > from + room + kEpsilon) break;
    end = line_end;
  }
  return end;
}

// The first line end of `text` below `from`, to make progress on a page too short for any
// line (which only a font far larger than ours could cause).
double NextLineEnd(const Text& text, double from) {
  for (double line_end : text.line_ends) {
    if (line_end > from + kEpsilon) return line_end;
  }
  return text.height;
}

// Column widths that fill `available`: columns that fit in an even share keep their natural
// width (numbers, dates, short labels stay on one line) and the wide ones share the rest in
// proportion to their natural widths; when everything fits, every column grows in proportion.
std::vector<double> ColumnWidths(const std::vector<double>& natural, double available) {
  double total = 0;
  for (double width : natural) total += width;
  std::vector<double> widths(natural.size(), 0.0);
  if (total <= available) {
    for (size_t i = 0; i < natural.size(); ++i) widths[i] = natural[i] * available / total;
    return widths;
  }
  std::vector<bool> settled(natural.size(), false);
  double remaining = available;
  size_t open = natural.size();
  for (bool changed = true; changed && open > 0;) {
    changed = false;
    const double share = remaining / static_cast<double>(open);
    for (size_t i = 0; i < natural.size(); ++i) {
      if (settled[i] || natural[i] > share) continue;
      settled[i] = true;
      widths[i] = natural[i];
      remaining -= natural[i];
      --open;
      changed = true;
    }
  }
  double open_total = 0;
  for (size_t i = 0; i < natural.size(); ++i) open_total += settled[i] ? 0 : natural[i];
  for (size_t i = 0; i < natural.size(); ++i) {
    if (!settled[i]) widths[i] = remaining * natural[i] / open_total;
  }
  return widths;
}

// One table row: its cells' texts and its height with padding.
struct Row {
  std::vector<Text> cells;
  double height = 0;
};

// What a table needs again on each page it continues on.
struct TableFrame {
  std::vector<double> widths;
  Row header;
};

cairo_status_t AppendToString(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

// Pango shows nothing for invalid UTF-8 and Cairo refuses it in metadata; a message set in
// code (not parsed, which checks) may carry some, and a handbook should still print.
std::string ValidUtf8(const std::string& text) {
  gchar* valid = g_utf8_make_valid(text.data(), static_cast<gssize>(text.size()));
  std::string result(valid);
  g_free(valid);
  return result;
}

absl::Status CairoError(const char* what, cairo_status_t status) {
  return absl::InternalError(std::string("PDF: ") + what + ": " + cairo_status_to_string(status));
}

// "YYYY-MM-DDThh:mm:ssZ" for the PDF's creation date: when the handbook was made, not when
// this file was drawn, so the same handbook always makes the same file. "" when not set.
std::string PdfDate(const google::protobuf::Timestamp& time) {
  if (time.seconds() == 0) return "";
  const std::time_t seconds = static_cast<std::time_t>(time.seconds());
  std::tm utc{};
  if (!gmtime_r(&seconds, &utc)) return "";
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

// Lays a Document out on A4 pages and paints them into a PDF. Layout comes first, so that
// every footer can say how many pages there are.
//
// Each Writer has its own Pango font map and context: the server renders on several threads,
// and Pango's objects may not be shared between threads. pango_cairo_font_map_get_default()
// would be per thread since Pango 1.32, but it lives until its thread ends, and a fresh map
// costs little next to shaping a handbook (fontconfig's configuration is shared and
// thread-safe).
class Writer {
 public:
  explicit Writer(const Thumbnails& thumbnails)
      : thumbnails_(thumbnails),
        font_map_(pango_cairo_font_map_new()),
        context_(pango_font_map_create_context(font_map_)) {
    pango_cairo_context_set_resolution(context_, 72.0);
    // Unhinted metrics and unrounded positions: a PDF is scaled when shown or printed, so the
    // glyphs must sit where the outlines say, not on a screen's pixel grid.
    cairo_font_options_t* options = cairo_font_options_create();
    cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF);
    pango_cairo_context_set_font_options(context_, options);
    cairo_font_options_destroy(options);
    pango_context_set_round_glyph_positions(context_, FALSE);
    // Chinese line breaking and punctuation, and the simplified forms of shared Han glyphs.
    pango_context_set_language(context_, pango_language_from_string("zh-cn"));
  }

  ~Writer() {
    pages_.clear();  // the layouts hold references to the context
    g_object_unref(context_);
    g_object_unref(font_map_);
  }

  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  void Layout(const Document& document) {
    NewPage();
    AddTitleBlock(document);
    for (const auto& section : document.sections) {
      AddHeading(section.heading);
      for (const auto& block : section.blocks) {
        if (const auto* paragraph = std::get_if<Paragraph>(&block)) {
          AddParagraph(*paragraph);
        } else if (const auto* photos = std::get_if<Photos>(&block)) {
          AddPhotos(*photos);
        } else {
          AddTable(std::get<Table>(block));
        }
      }
      KeepTogether(0);  // a section without blocks still shows its heading
    }
  }

  absl::StatusOr<std::string> Paint(const std::string& title, const std::string& create_date) {
    std::string pdf;
    std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> surface(
        cairo_pdf_surface_create_for_stream(AppendToString, &pdf, kPageWidth, kPageHeight),
        cairo_surface_destroy);
    if (cairo_status_t status = cairo_surface_status(surface.get());
        status != CAIRO_STATUS_SUCCESS) {
      return CairoError("creating the surface", status);
    }
    cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE,
                                   ValidUtf8(title).c_str());
    cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, "Branchline");
    if (!create_date.empty()) {
      cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATE_DATE,
                                     create_date.c_str());
    }
    {
      std::unique_ptr<cairo_t, decltype(&cairo_destroy)> cr(cairo_create(surface.get()),
                                                            cairo_destroy);
      for (size_t i = 0; i < pages_.size(); ++i) {
        PaintPage(cr.get(), pages_[i]);
        PaintImages(cr.get(), pages_[i]);
        PaintMargins(cr.get(), title, i + 1);
        cairo_show_page(cr.get());
      }
      if (cairo_status_t status = cairo_status(cr.get()); status != CAIRO_STATUS_SUCCESS) {
        return CairoError("drawing", status);
      }
    }
    cairo_surface_finish(surface.get());
    if (cairo_status_t status = cairo_surface_status(surface.get());
        status != CAIRO_STATUS_SUCCESS) {
      return CairoError("writing", status);
    }
    surface.reset();  // nothing may write into `pdf` once it is moved out
    return pdf;
  }

 private:
  // ---- Texts ----

  // `text` in `style`; wrapped to `width` when it is positive, else on one line per paragraph.
  Text MakeText(const std::string& text, Style style, double width = 0,
                PangoAlignment alignment = PANGO_ALIGN_LEFT) {
    LayoutPtr layout(pango_layout_new(context_), [](PangoLayout* l) { g_object_unref(l); });
    PangoFontDescription* font = pango_font_description_new();
    pango_font_description_set_family_static(font, kFontFamily);
    pango_font_description_set_size(font, static_cast<int>(style.size * PANGO_SCALE));
    pango_font_description_set_weight(font, style.bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_layout_set_font_description(layout.get(), font);
    pango_font_description_free(font);
    pango_layout_set_alignment(layout.get(), alignment);
    const std::string valid = ValidUtf8(text);
    pango_layout_set_text(layout.get(), valid.data(), static_cast<int>(valid.size()));
    Text result{std::move(layout), 0, 0, {}};
    if (width > 0) {
      Wrap(result, width);
    } else {
      Measure(result);
    }
    return result;
  }

  static void Wrap(Text& text, double width) {
    pango_layout_set_width(text.layout.get(), static_cast<int>(width * PANGO_SCALE));
    pango_layout_set_wrap(text.layout.get(), PANGO_WRAP_WORD_CHAR);
    Measure(text);
  }

  static void Measure(Text& text) {
    int width = 0, height = 0;
    pango_layout_get_size(text.layout.get(), &width, &height);
    text.width = Points(width);
    text.height = Points(height);
    text.line_ends.clear();
    PangoLayoutIter* iter = pango_layout_get_iter(text.layout.get());
    do {
      int top = 0, bottom = 0;
      pango_layout_iter_get_line_yrange(iter, &top, &bottom);
      text.line_ends.push_back(Points(bottom));
    } while (pango_layout_iter_next_line(iter));
    pango_layout_iter_free(iter);
  }

  // ---- Pages ----

  void NewPage() {
    pages_.emplace_back();
    y_ = kMarginTop;
  }

  bool AtPageTop() const { return y_ <= kMarginTop + kEpsilon; }
  double Room() const { return kContentBottom - y_; }

  // Starts a new page unless the pending heading and `height` of the next block still fit
  // on this one (or this one is empty anyway), then places the heading. Every block starts
  // with this: a heading at the foot of a page with its section on the next reads as a stray
  // line.
  void KeepTogether(double height) {
    const double heading =
        pending_heading_.layout ? kHeadingAbove + pending_heading_.height + kHeadingBelow : 0;
    if (heading + height > Room() && !AtPageTop()) NewPage();
    if (!pending_heading_.layout) return;
    if (!AtPageTop()) y_ += kHeadingAbove;
    Place(pending_heading_, kMarginX);
    y_ += kHeadingBelow;
    pending_heading_ = Text();
  }

  void Place(const Text& text, double x) {
    pages_.back().texts.push_back({text.layout, x, y_, 0, text.height});
    y_ += text.height;
  }

  // A text that may run over pages, broken between lines.
  void PlaceFlowing(const Text& text, double x) {
    for (double from = 0;;) {
      double to = LastLineEndWithin(text, from, Room());
      if (to <= from && !AtPageTop()) {
        NewPage();
        continue;
      }
      if (to <= from) to = NextLineEnd(text, from);
      pages_.back().texts.push_back({text.layout, x, y_, from, to});
      y_ += to - from;
      from = to;
      if (from >= text.height - kEpsilon) return;
      NewPage();
    }
  }

  // ---- Blocks ----

  void AddTitleBlock(const Document& document) {
    Place(MakeText(document.title, kTitleStyle, kContentWidth, PANGO_ALIGN_CENTER), kMarginX);
    y_ += 6;
    if (!document.subject.empty()) {
      Place(MakeText(document.subject, kSubjectStyle, kContentWidth, PANGO_ALIGN_CENTER), kMarginX);
      y_ += 6;
    }
    for (const auto& line : document.subtitle_lines) {
      Place(MakeText(line, kSubtitleStyle, kContentWidth, PANGO_ALIGN_CENTER), kMarginX);
    }
    y_ += 8;
    pages_.back().rules.push_back({kMarginX, y_, kContentWidth});
    y_ += 10;
  }

  // The heading waits for its first block (KeepTogether).
  void AddHeading(const std::string& heading) {
    pending_heading_ = MakeText(heading, kHeadingStyle, kContentWidth);
  }

  void AddParagraph(const Paragraph& paragraph) {
    Text text =
        MakeText(paragraph.text, paragraph.emphasis ? kEmphasisStyle : kBodyStyle, kContentWidth);
    if (paragraph.emphasis) {
      KeepTogether(text.height + 3 * kBodyStyle.size * 1.5);
      if (!AtPageTop()) y_ += 4;
    } else {
      // At least two lines together at the foot of a page.
      KeepTogether(std::min(text.height, text.line_ends.size() > 1 ? text.line_ends[1] : 0.0));
    }
    PlaceFlowing(text, kMarginX);
    y_ += 4;
  }

  void AddTable(const Table& table) {
    const size_t columns = table.header.size();
    if (columns == 0) return;
    const bool dense = columns >= kDenseColumns;
    TableFrame frame{
        {}, MakeRow(table.header, columns, dense ? kDenseHeaderCellStyle : kHeaderCellStyle)};
    std::vector<Row> rows;
    rows.reserve(table.rows.size());
    for (const auto& fields : table.rows) {
      rows.push_back(MakeRow(fields, columns, dense ? kDenseCellStyle : kCellStyle));
    }
    frame.widths = ColumnWidths(NaturalWidths(frame.header, rows), kContentWidth);
    FitRow(frame.header, frame.widths);
    for (auto& row : rows) FitRow(row, frame.widths);

    Text title;
    if (!table.title.empty()) title = MakeText(table.title, kTableTitleStyle, kContentWidth);
    // The title, the header and the start of the first row stay together.
    const double first_row = rows.empty() ? 0 : std::min(rows.front().height, 40.0);
    KeepTogether(title.height + (title.layout ? 3 : 0) + frame.header.height + first_row);
    if (title.layout) {
      Place(title, kMarginX);
      y_ += 3;
    }
    PlaceRow(frame.header, frame.widths, /*header=*/true);
    for (const auto& row : rows) PlaceBodyRow(row, frame);
    y_ += kBlockGap;
  }

  // A meeting's photos: the line naming the meeting (when no minutes did), the line naming
  // them all, the thumbnails that decode in rows under it
  // (at most kThumbnailsPerMeeting, and kThumbnailsPerHandbook in the whole file), then how
  // many are not shown. Each thumbnail is decoded here only to know that it can be shown and
  // its shape; PaintImages decodes it again.
  void AddPhotos(const Photos& photos) {
    struct Shown {
      uint64_t file_id;
      double width, height;  // scaled into the box
    };
    std::vector<Shown> shown;
    bool handbook_full = false;
    for (const auto& photo : photos.photos) {
      if (shown.size() == static_cast<size_t>(kThumbnailsPerMeeting)) break;
      if (thumbnails_shown_ == kThumbnailsPerHandbook) {
        handbook_full = true;
        break;
      }
      auto it = thumbnails_.find(photo.file_id);
      if (it == thumbnails_.end()) continue;
      SurfacePtr surface = ThumbnailSurface(it->second, photo.file_id);
      if (!surface) continue;
      const double width = cairo_image_surface_get_width(surface.get());
      const double height = cairo_image_surface_get_height(surface.get());
      const double scale = std::min(kThumbnailWidth / width, kThumbnailHeight / height);
      shown.push_back({photo.file_id, width * scale, height * scale});
      ++thumbnails_shown_;
    }

    // How many are not shown, under the last row (on its page).
    Text note;
    if (const size_t hidden = photos.photos.size() - shown.size(); hidden > 0) {
      std::string text = "另有 " + std::to_string(hidden) + " 张照片未显示";
      if (handbook_full) {
        text += "（全册最多显示 " + std::to_string(kThumbnailsPerHandbook) + " 张照片）";
      }
      note = MakeText(text, kBodyStyle, kContentWidth);
    }
    const double note_height = note.layout ? kNoteGap + note.height : 0;

    // The lines naming the meeting and the photos stay with the first row (and the note, when
    // that is the last).
    Text heading;
    if (!photos.heading.empty()) heading = MakeText(photos.heading, kEmphasisStyle, kContentWidth);
    const double heading_height = heading.layout ? kHeadingGap + heading.height + kHeadingGap : 0;
    Text caption = MakeText(photos.caption, kBodyStyle, kContentWidth);
    const double first_row = shown.empty() ? 0 : kThumbnailGap + kThumbnailHeight;
    const bool one_row = shown.size() <= static_cast<size_t>(kThumbnailsPerRow);
    KeepTogether(heading_height + caption.height + first_row + (one_row ? note_height : 0));
    if (heading.layout) {  // spaced as an emphasised paragraph
      if (!AtPageTop()) y_ += kHeadingGap;
      PlaceFlowing(heading, kMarginX);
      y_ += kHeadingGap;
    }
    PlaceFlowing(caption, kMarginX);
    for (size_t row = 0; row < shown.size(); row += kThumbnailsPerRow) {
      const bool last = row + kThumbnailsPerRow >= shown.size();
      if (kThumbnailGap + kThumbnailHeight + (last ? note_height : 0) > Room() + kEpsilon) {
        NewPage();
      } else {
        y_ += kThumbnailGap;
      }
      for (size_t i = row; i < std::min(shown.size(), row + kThumbnailsPerRow); ++i) {
        const double box_x =
            kMarginX + static_cast<double>(i - row) * (kThumbnailWidth + kThumbnailGap);
        pages_.back().images.push_back(
            {shown[i].file_id, box_x + (kThumbnailWidth - shown[i].width) / 2,
             y_ + (kThumbnailHeight - shown[i].height) / 2, shown[i].width, shown[i].height});
      }
      y_ += kThumbnailHeight;
    }
    if (note.layout) {
      y_ += kNoteGap;
      PlaceFlowing(note, kMarginX);
    }
    y_ += kBlockGap;
  }

  Row MakeRow(const std::vector<std::string>& fields, size_t columns, Style style) {
    Row row;
    row.cells.reserve(columns);
    // A row that is short of cells (or has too many) must not break the table's grid.
    for (size_t i = 0; i < columns; ++i) {
      row.cells.push_back(MakeText(i < fields.size() ? fields[i] : "", style));
    }
    return row;
  }

  static std::vector<double> NaturalWidths(const Row& header, const std::vector<Row>& rows) {
    std::vector<double> natural(header.cells.size(), 0.0);
    auto widen = [&](const Row& row) {
      for (size_t i = 0; i < natural.size(); ++i) {
        natural[i] =
            std::max(natural[i], std::min(row.cells[i].width + 2 * kCellPaddingX, kContentWidth));
      }
    };
    widen(header);
    for (const auto& row : rows) widen(row);
    return natural;
  }

  // Wraps the cells that are wider than their column and sets the row's height.
  static void FitRow(Row& row, const std::vector<double>& widths) {
    row.height = 0;
    for (size_t i = 0; i < row.cells.size(); ++i) {
      const double inner = widths[i] - 2 * kCellPaddingX;
      if (row.cells[i].width > inner + kEpsilon) Wrap(row.cells[i], inner);
      row.height = std::max(row.height, row.cells[i].height + 2 * kCellPaddingY);
    }
  }

  void PlaceRow(const Row& row, const std::vector<double>& widths, bool header) {
    std::vector<double> from(row.cells.size(), 0.0), to(row.cells.size());
    for (size_t i = 0; i < row.cells.size(); ++i) to[i] = row.cells[i].height;
    PlaceRowSlice(row, widths, from, to, row.height, header);
  }

  // Part of a row: each cell's lines from from[i] to to[i], in a frame `height` high.
  void PlaceRowSlice(const Row& row, const std::vector<double>& widths,
                     const std::vector<double>& from, const std::vector<double>& to, double height,
                     bool header) {
    double x = kMarginX;
    for (size_t i = 0; i < row.cells.size(); ++i) {
      pages_.back().cells.push_back({x, y_, widths[i], height, header});
      if (to[i] > from[i]) {
        pages_.back().texts.push_back(
            {row.cells[i].layout, x + kCellPaddingX, y_ + kCellPaddingY, from[i], to[i]});
      }
      x += widths[i];
    }
    y_ += height;
  }

  // Continues a table on a new page, under its header again.
  void ContinueTable(const TableFrame& frame) {
    NewPage();
    PlaceRow(frame.header, frame.widths, /*header=*/true);
  }

  void PlaceBodyRow(const Row& row, const TableFrame& frame) {
    if (row.height <= Room() + kEpsilon) {
      PlaceRow(row, frame.widths, /*header=*/false);
      return;
    }
    const double page_room = kContentBottom - kMarginTop - frame.header.height;
    if (row.height <= page_room) {
      ContinueTable(frame);
      PlaceRow(row, frame.widths, /*header=*/false);
      return;
    }
    SplitBodyRow(row, frame);
  }

  // A row taller than a page (a long ledger text, say): each cell broken between its own lines,
  // the row continued on the next page under the header.
  void SplitBodyRow(const Row& row, const TableFrame& frame) {
    const size_t n = row.cells.size();
    std::vector<double> from(n, 0.0), to(n, 0.0);
    for (bool fresh_page = false;;) {
      const double room = Room() - 2 * kCellPaddingY;
      double tallest = 0;
      for (size_t i = 0; i < n; ++i) {
        to[i] = LastLineEndWithin(row.cells[i], from[i], room);
        if (fresh_page && to[i] <= from[i] && from[i] < row.cells[i].height - kEpsilon) {
          to[i] = NextLineEnd(row.cells[i], from[i]);
        }
        tallest = std::max(tallest, to[i] - from[i]);
      }
      if (tallest <= 0) {  // not one line fits here
        ContinueTable(frame);
        fresh_page = true;
        continue;
      }
      PlaceRowSlice(row, frame.widths, from, to, tallest + 2 * kCellPaddingY, /*header=*/false);
      bool done = true;
      for (size_t i = 0; i < n; ++i) {
        from[i] = to[i];
        done = done && from[i] >= row.cells[i].height - kEpsilon;
      }
      if (done) return;
      ContinueTable(frame);
      fresh_page = true;
    }
  }

  // ---- Painting ----

  static void PaintPage(cairo_t* cr, const Page& page) {
    cairo_set_line_width(cr, 0.5);
    for (const auto& cell : page.cells) {
      cairo_rectangle(cr, cell.x, cell.y, cell.width, cell.height);
      if (cell.header) {
        cairo_set_source_rgb(cr, 0.92, 0.92, 0.92);
        cairo_fill_preserve(cr);
      }
      cairo_set_source_rgb(cr, 0.45, 0.45, 0.45);
      cairo_stroke(cr);
    }
    cairo_set_source_rgb(cr, 0.7, 0.1, 0.1);  // the red rule of a Party document's title
    cairo_set_line_width(cr, 1.2);
    for (const auto& rule : page.rules) {
      cairo_move_to(cr, rule.x, rule.y);
      cairo_line_to(cr, rule.x + rule.width, rule.y);
      cairo_stroke(cr);
    }
    cairo_set_source_rgb(cr, 0, 0, 0);
    for (const auto& text : page.texts) PaintLines(cr, text);
  }

  // Draws only the lines in [from, to): a clip would hide the others but leave them in the
  // file, where copying text and pdftotext would still find them, twice.
  static void PaintLines(cairo_t* cr, const PlacedText& text) {
    PangoLayoutIter* iter = pango_layout_get_iter(text.layout.get());
    do {
      int top = 0, bottom = 0;
      pango_layout_iter_get_line_yrange(iter, &top, &bottom);
      if (Points(top) + kEpsilon < text.from) continue;
      if (Points(bottom) > text.to + kEpsilon) break;
      PangoRectangle logical;
      pango_layout_iter_get_line_extents(iter, nullptr, &logical);
      cairo_move_to(cr, text.x + Points(logical.x),
                    text.y - text.from + Points(pango_layout_iter_get_baseline(iter)));
      pango_cairo_show_layout_line(cr, pango_layout_iter_get_line_readonly(iter));
    } while (pango_layout_iter_next_line(iter));
    pango_layout_iter_free(iter);
  }

  // The photos of a page, each in a hairline frame so that a pale photo does not melt into the
  // paper. A thumbnail that decoded when laid out decodes again; should it not, it is left out.
  void PaintImages(cairo_t* cr, const Page& page) const {
    for (const auto& image : page.images) {
      auto it = thumbnails_.find(image.file_id);
      if (it == thumbnails_.end()) continue;
      SurfacePtr surface = ThumbnailSurface(it->second, image.file_id);
      if (!surface) continue;
      cairo_save(cr);
      cairo_translate(cr, image.x, image.y);
      cairo_scale(cr, image.width / cairo_image_surface_get_width(surface.get()),
                  image.height / cairo_image_surface_get_height(surface.get()));
      cairo_set_source_surface(cr, surface.get(), 0, 0);
      cairo_paint(cr);
      cairo_restore(cr);
      cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
      cairo_set_line_width(cr, 0.5);
      cairo_rectangle(cr, image.x, image.y, image.width, image.height);
      cairo_stroke(cr);
    }
    cairo_set_source_rgb(cr, 0, 0, 0);
  }

  // "第 n 页 / 共 m 页" at the foot of every page and, from the second page on, the title at
  // the head, so that a loose page in an inspection file still says whose it is.
  void PaintMargins(cairo_t* cr, const std::string& title, size_t page_number) {
    cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
    const std::string footer =
        "第 " + std::to_string(page_number) + " 页 / 共 " + std::to_string(pages_.size()) + " 页";
    PaintAt(cr, MakeText(footer, kMarginStyle, kContentWidth, PANGO_ALIGN_CENTER), kFooterTop);
    if (page_number > 1) {
      PaintAt(cr, MakeText(title, kMarginStyle, kContentWidth, PANGO_ALIGN_RIGHT), kRunningHeadTop);
    }
    cairo_set_source_rgb(cr, 0, 0, 0);
  }

  static void PaintAt(cairo_t* cr, const Text& text, double y) {
    PaintLines(cr, {text.layout, kMarginX, y, 0, text.height});
  }

  const Thumbnails& thumbnails_;
  int thumbnails_shown_ = 0;  // laid out so far, against kThumbnailsPerHandbook
  PangoFontMap* font_map_;
  PangoContext* context_;
  std::vector<Page> pages_;
  double y_ = kMarginTop;
  Text pending_heading_;  // no layout when none
};

absl::StatusOr<std::string> DocumentPdf(const Document& document,
                                        const google::protobuf::Timestamp& generate_time,
                                        const Thumbnails& thumbnails = {}) {
  Writer writer(thumbnails);
  writer.Layout(document);
  return writer.Paint(FullTitle(document), PdfDate(generate_time));
}

}  // namespace

absl::StatusOr<std::string> BranchHandbookPdf(const v1::BranchHandbook& handbook,
                                              const Thumbnails& thumbnails) {
  return DocumentPdf(BranchHandbookDocument(handbook), handbook.generate_time(), thumbnails);
}

absl::StatusOr<std::string> MemberHandbookPdf(const v1::MemberHandbook& handbook) {
  return DocumentPdf(MemberHandbookDocument(handbook), handbook.generate_time());
}

}  // namespace branchline::handbook
