/// A command's discussion as `--help` should wrap it: the lines of each paragraph joined, so the
/// help wraps them to the terminal's width instead of breaking each source line again; indented
/// lines (command examples) and blank lines stay as written.
func paragraphs(_ text: String) -> String {
    var lines: [String] = []
    for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
        let joins = !line.isEmpty && !line.hasPrefix(" ") && !(lines.last ?? "").isEmpty && !(lines.last ?? "").hasPrefix(" ")
        if joins { lines[lines.count - 1] += " " + line } else { lines.append(line) }
    }
    return lines.joined(separator: "\n")
}
