import Foundation

/// The pictures `explain` draws: per molecule and task an SVG of the molecule (RDKit's depiction)
/// with every atom coloured by its attribution on a diverging, colour-blind-safe scale (purple
/// below zero, orange above; ColorBrewer's PuOr ends), a legend, and a caption with the share of
/// f(x) − f(baseline) the atoms carry — what the drawing leaves out is the fingerprint bits' share.
/// And one index.html (no scripts or fonts from the network) listing every input row with its
/// predictions and drawings, sortable by any column.
struct ExplanationPictures {
    static let negative = Molecule.Colour(red: 0x54 / 255, green: 0x27 / 255, blue: 0x88 / 255)
    static let neutral = Molecule.Colour(red: 0xf7 / 255, green: 0xf7 / 255, blue: 0xf7 / 255)
    static let positive = Molecule.Colour(red: 0xb3 / 255, green: 0x58 / 255, blue: 0x06 / 255)

    /// The colour of `value` on the scale −limit…0…+limit (clamped).
    static func colour(_ value: Double, limit: Double) -> Molecule.Colour {
        guard limit > 0 else { return neutral }
        let t = min(abs(value) / limit, 1), end = value < 0 ? negative : positive
        return Molecule.Colour(red: neutral.red + (end.red - neutral.red) * t, green: neutral.green + (end.green - neutral.green) * t,
                               blue: neutral.blue + (end.blue - neutral.blue) * t)
    }

    static func hex(_ c: Molecule.Colour) -> String {
        String(format: "#%02x%02x%02x", Int((c.red * 255).rounded()), Int((c.green * 255).rounded()), Int((c.blue * 255).rounded()))
    }

    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func percent(_ part: Double, _ whole: Double) -> String {
        whole == 0 ? "n/a" : String(format: "%.1f%%", 100 * part / whole)
    }

    /// One molecule's drawing for one task; `id` keeps the legend's gradient unique in index.html.
    static func svg(_ molecule: Molecule, _ e: TaskExplanation, task: String, id: String) throws -> String {
        let limit = e.atoms.map(abs).max() ?? 0
        let drawing = try molecule.svg(width: 300, height: 300, atomColours: e.atoms.map { colour($0, limit: limit) })
        let body = drawing.replacingOccurrences(of: #"<\?xml[^>]*\?>"#, with: "", options: .regularExpression)
        let stops = [(0, negative), (50, neutral), (100, positive)].map { "<stop offset=\"\($0.0)%\" stop-color=\"\(hex($0.1))\"/>" }.joined()
        let number = { (v: Double) in String(format: "%.3g", v) }
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="320" height="380" viewBox="0 0 320 380" font-family="sans-serif" font-size="11">
            <rect width="320" height="380" fill="white"/>
            <g transform="translate(10,0)">\(body)</g>
            <defs><linearGradient id="scale-\(id)">\(stops)</linearGradient></defs>
            <text x="160" y="312" text-anchor="middle">\(escaped(task)): atom attribution (integrated gradients)</text>
            <rect x="60" y="318" width="200" height="10" fill="url(#scale-\(id))" stroke="#888"/>
            <text x="56" y="327" text-anchor="end">−\(number(limit))</text>
            <text x="160" y="340" text-anchor="middle">0</text>
            <text x="264" y="327">+\(number(limit))</text>
            <text x="160" y="356" text-anchor="middle">atoms carry \(percent(e.atomTotal, e.difference)) of f(x) − f(baseline) = \(number(e.difference));</text>
            <text x="160" y="370" text-anchor="middle">fingerprint bits \(percent(e.fingerprintTotal, e.difference)) (not drawn)</text>
            </svg>

            """
    }

    /// index.html: one table row per input row, in input order; a column per value, a drawing per task.
    static func html(rows: [(row: Int, smiles: String, values: [(label: String, value: Double)], drawings: [String], error: String?)],
                     columns: [String], tasks: [String], title: String) -> String {
        var html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"/><title>\(escaped(title))</title>
            <style>
            body { font-family: sans-serif; margin: 1em; }
            table { border-collapse: collapse; }
            th, td { border: 1px solid #ccc; padding: 4px; vertical-align: top; }
            th { cursor: pointer; background: #eee; }
            td.error { color: #a00; }
            td.smiles { max-width: 16em; word-break: break-all; font-family: monospace; }
            td svg { display: block; }
            </style></head><body>
            <h1>\(escaped(title))</h1>
            <p>Atom colours: integrated gradients of each task's output (purple lowers it, orange raises it; each drawing's scale is its own largest attribution). Click a column header to sort.</p>
            <table id="molecules"><thead><tr><th data-kind="number">row</th><th data-kind="text">SMILES</th>
            """
        html += columns.map { "<th data-kind=\"number\">\(escaped($0))</th>" }.joined()
        html += tasks.map { "<th data-kind=\"none\">\(escaped($0)) drawing</th>" }.joined() + "<th data-kind=\"text\">error</th></tr></thead><tbody>\n"
        for r in rows {
            html += "<tr><td data-value=\"\(r.row)\">\(r.row)</td><td class=\"smiles\" data-value=\"\(escaped(r.smiles))\">\(escaped(r.smiles))</td>"
            if let error = r.error {
                html += String(repeating: "<td data-value=\"\"></td>", count: columns.count + tasks.count)
                html += "<td class=\"error\" data-value=\"\(escaped(error))\">\(escaped(error))</td></tr>\n"
                continue
            }
            html += r.values.map { $0.value.isNaN ? "<td data-value=\"\"></td>" : "<td data-value=\"\($0.value)\">\(String(format: "%.4g", $0.value))</td>" }.joined()
            html += r.drawings.map { "<td>\($0)</td>" }.joined() + "<td data-value=\"\"></td></tr>\n"
        }
        html += """
            </tbody></table>
            <script>
            document.querySelectorAll("#molecules th").forEach(function (header, column) {
              if (header.dataset.kind === "none") { return; }
              header.addEventListener("click", function () {
                var body = document.querySelector("#molecules tbody");
                var rows = Array.prototype.slice.call(body.rows);
                var ascending = header.dataset.order !== "ascending";
                header.dataset.order = ascending ? "ascending" : "descending";
                rows.sort(function (a, b) {
                  var x = a.cells[column].dataset.value, y = b.cells[column].dataset.value;
                  if (header.dataset.kind === "number") {
                    x = x === "" ? Infinity : parseFloat(x); y = y === "" ? Infinity : parseFloat(y);
                    return ascending ? x - y : y - x;
                  }
                  return ascending ? x.localeCompare(y) : y.localeCompare(x);
                });
                rows.forEach(function (row) { body.appendChild(row); });
              });
            });
            </script>
            </body></html>

            """
        return html
    }
}
