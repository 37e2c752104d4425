package dev.sparkrec.pipelines;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A subcommand's arguments: positional words and {@code --name value} options, checked against what it accepts. */
final class CommandLine {

  private final List<String> positional = new ArrayList<>();
  private final Map<String, String> options = new LinkedHashMap<>();

  private CommandLine() {}

  /**
   * Parses {@code args}; {@code flags} are options without a value, {@code valued} take one.
   * Unknown options fail naming the option and listing the accepted ones.
   */
  static CommandLine parse(String[] args, Set<String> valued, Set<String> flags) {
    CommandLine line = new CommandLine();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        line.positional.add(arg);
        continue;
      }
      String name = arg.substring(2);
      String value = null;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      }
      if (flags.contains(name) && value == null) {
        line.options.put(name, "true");
      } else if (valued.contains(name)) {
        if (value == null) {
          if (i + 1 >= args.length) {
            throw new UsageException("Option --" + name + " needs a value.");
          }
          value = args[++i];
        }
        line.options.put(name, value);
      } else {
        List<String> accepted = new ArrayList<>();
        valued.forEach(v -> accepted.add("--" + v + " VALUE"));
        flags.forEach(f -> accepted.add("--" + f));
        Collections.sort(accepted);
        throw new UsageException("Unknown option --" + name + ". Accepted: "
            + (accepted.isEmpty() ? "none" : String.join(", ", accepted)) + ".");
      }
    }
    return line;
  }

  List<String> positional() {
    return positional;
  }

  String option(String name, String defaultValue) {
    return options.getOrDefault(name, defaultValue);
  }

  boolean flag(String name) {
    return options.containsKey(name);
  }

  /** An error in how a command was called: Main prints it with the help text and exits with status 2. */
  static final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }
}
