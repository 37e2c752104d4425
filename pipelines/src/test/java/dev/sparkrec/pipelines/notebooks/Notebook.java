package dev.sparkrec.pipelines.notebooks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A Databricks notebook in source format, cut into its cells. The file starts with {@value #HEADER}; cells are
 * separated by {@value #SEPARATOR} lines; a cell whose every line starts with {@code // MAGIC} is a magic cell
 * ({@code %md} and the like), every other cell is Scala. Cells are numbered from 1 in file order, as Databricks
 * numbers them ({@code Cmd 1}, {@code Cmd 2}, ...), magic cells included.
 */
record Notebook(String name, List<Cell> cells) {

  static final String HEADER = "// Databricks notebook source";
  static final String SEPARATOR = "// COMMAND ----------";
  static final String MAGIC = "// MAGIC";

  /** One cell: its {@code Cmd} number, its text, and whether it is a magic (non-Scala) cell. */
  record Cell(int cmd, String code, boolean magic) {

    /** The cell's first non-blank line, to name it in an error. */
    String firstLine() {
      for (String line : code.split("\n")) {
        if (!line.isBlank()) {
          return line.strip();
        }
      }
      return "";
    }
  }

  /** Reads and parses {@code file}; its name without {@code .scala} names the notebook. */
  static Notebook read(Path file) throws IOException {
    String name = file.getFileName().toString().replaceFirst("\\.scala$", "");
    return parse(name, Files.readString(file, StandardCharsets.UTF_8));
  }

  /** Parses the source of notebook {@code name}; fails when it lacks the Databricks header. */
  static Notebook parse(String name, String source) {
    String[] lines = source.replace("\r\n", "\n").split("\n", -1);
    if (lines.length == 0 || !lines[0].strip().equals(HEADER)) {
      throw new IllegalArgumentException("notebook " + name + " does not start with '" + HEADER
          + "'; Databricks would not import it as a notebook");
    }
    List<Cell> cells = new ArrayList<>();
    List<String> current = new ArrayList<>();
    for (int i = 1; i <= lines.length; i++) {
      if (i == lines.length || lines[i].strip().equals(SEPARATOR)) {
        addCell(cells, current);
        current = new ArrayList<>();
      } else {
        current.add(lines[i]);
      }
    }
    return new Notebook(name, List.copyOf(cells));
  }

  /** The Scala cells, in order. */
  List<Cell> codeCells() {
    return cells.stream().filter(c -> !c.magic()).toList();
  }

  private static void addCell(List<Cell> cells, List<String> lines) {
    String code = String.join("\n", lines).strip();
    if (code.isEmpty()) {
      return;
    }
    boolean magic = lines.stream().filter(l -> !l.isBlank()).allMatch(l -> l.strip().startsWith(MAGIC));
    cells.add(new Cell(cells.size() + 1, code, magic));
  }
}
