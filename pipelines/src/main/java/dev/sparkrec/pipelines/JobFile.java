package dev.sparkrec.pipelines;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * {@code --job FILE.yaml}: a command's options written down once. The file is a YAML mapping whose keys are the
 * command's option names without the dashes; a list is written comma-separated ({@code categorical: [C0, C1]}),
 * a flag takes {@code true}/{@code false}, and {@code params} may be a mapping of the model's params
 * ({@code params: {embeddingDim: 8, hiddenLayers: [64, 64]}}). Options on the command line win over the file.
 *
 * <pre>{@code
 * model: afn
 * input: /data/clicks
 * input-version: 3
 * categorical: [user, item, category]
 * label: clicked
 * model-out: /models/afn
 * }</pre>
 */
final class JobFile {

  static final String OPTION = "--job";

  private JobFile() {}

  /**
   * {@code args} (a command's arguments) with the options of its {@code --job} file put before them, so that the
   * command line overrides the file; {@code args} unchanged without {@code --job}.
   */
  static String[] expand(CommandSpec command, String[] args) {
    String file = null;
    Set<String> given = new HashSet<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals(OPTION) && i + 1 < args.length) {
        file = args[i + 1];
      } else if (args[i].startsWith(OPTION + "=")) {
        file = args[i].substring(OPTION.length() + 1);
      }
      if (args[i].startsWith("--")) {
        int eq = args[i].indexOf('=');
        given.add(eq < 0 ? args[i] : args[i].substring(0, eq));
      }
    }
    if (file == null) {
      return args;
    }
    List<String> expanded = new ArrayList<>(options(command, file, load(file), given));
    expanded.addAll(List.of(args));
    return expanded.toArray(String[]::new);
  }

  private static Map<?, ?> load(String file) {
    Object document;
    try (Reader reader = Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
      document = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
    } catch (NoSuchFileException e) {
      throw new JobFailure("job file " + file + " does not exist.");
    } catch (IOException e) {
      throw new JobFailure("job file " + file + " cannot be read: " + JobFailure.firstLine(e));
    } catch (YAMLException e) {
      throw new JobFailure("job file " + file + " is not valid YAML: " + JobFailure.firstLine(e));
    }
    if (document == null) {
      return Map.of();
    }
    if (!(document instanceof Map<?, ?> map)) {
      throw new UsageException("job file " + file + " must be a mapping of option names to values, not a "
          + (document instanceof List ? "list" : "single value") + ".");
    }
    return map;
  }

  /** The file's entries as command-line options, checked against the options the command has. */
  private static List<String> options(CommandSpec command, String file, Map<?, ?> entries, Set<String> given) {
    List<String> args = new ArrayList<>();
    for (Map.Entry<?, ?> entry : entries.entrySet()) {
      String key = String.valueOf(entry.getKey());
      OptionSpec option = command.findOption("--" + key);
      if (option == null || key.equals(OPTION.substring(2)) || option.usageHelp()) {
        TreeSet<String> keys = new TreeSet<>();
        for (OptionSpec o : command.options()) {
          if (!o.usageHelp() && !o.longestName().equals(OPTION)) {
            keys.add(o.longestName().substring(2));
          }
        }
        throw new UsageException("job file " + file + ": '" + key + "' is not an option of " + command.name()
            + "; its keys: " + String.join(", ", keys) + ".");
      }
      if (given.contains(option.longestName())) {
        continue; // the command line's value replaces the file's
      }
      Object value = entry.getValue();
      if (value == null) {
        throw new UsageException("job file " + file + ": '" + key + "' has no value.");
      }
      if (!option.arity().isVariable() && option.arity().max() == 0) { // a flag
        if (!(value instanceof Boolean flag)) {
          throw new UsageException("job file " + file + ": '" + key + "' is a flag; write true or false, not '"
              + value + "'.");
        }
        if (flag) {
          args.add("--" + key);
        }
        continue;
      }
      args.add("--" + key);
      args.add(text(file, key, value));
    }
    return args;
  }

  private static String text(String file, String key, Object value) {
    if (value instanceof List<?> list) {
      return list.stream().map(v -> text(file, key, v)).collect(Collectors.joining(","));
    }
    if (value instanceof Map<?, ?> map) {
      if (!key.equals("params")) {
        throw new UsageException("job file " + file + ": '" + key + "' takes a value or a list, not a mapping.");
      }
      return map.entrySet().stream().map(e -> e.getKey() + "=" + json(e.getValue()))
          .collect(Collectors.joining(" "));
    }
    return String.valueOf(value);
  }

  /** A param value in Spark ML's JSON form, as {@code --params} reads it. */
  private static String json(Object value) {
    if (value instanceof List<?> list) {
      return list.stream().map(v -> v instanceof String text ? "\"" + text + "\"" : json(v))
          .collect(Collectors.joining(",", "[", "]"));
    }
    return String.valueOf(value);
  }
}
