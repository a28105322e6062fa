package io.cifarstream.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What {@code bin/cifar-stream} sets up before the JVM runs: exported environment defaults and JVM system properties. */
record LauncherScript(List<String> lines) {

    private static final Pattern EXPORTED_DEFAULT =
            Pattern.compile("^export (\\w+)=\"\\$\\{(\\w+):-([^}]*)}\"$");
    private static final Pattern SYSTEM_PROPERTY = Pattern.compile("-D([\\w.]+)=(\\S+)");

    static LauncherScript load(Path file) throws IOException {
        return new LauncherScript(Files.readAllLines(file).stream().map(String::strip).toList());
    }

    /** {@code export NAME="${NAME:-VALUE}"}: NAME to VALUE. */
    Map<String, String> exportedDefaults() {
        Map<String, String> defaults = new LinkedHashMap<>();
        for (String line : lines) {
            Matcher m = EXPORTED_DEFAULT.matcher(line);
            if (m.matches() && m.group(1).equals(m.group(2))) {
                defaults.put(m.group(1), m.group(3));
            }
        }
        return defaults;
    }

    /** The {@code -Dname=value} flags of the line that starts the JVM, quotes removed. */
    Map<String, String> jvmSystemProperties() {
        String javaLine = lines.stream().filter(line -> line.startsWith("exec java ")).findFirst()
                .orElseThrow(() -> new AssertionError("bin/cifar-stream has no 'exec java ...' line"));
        Map<String, String> properties = new LinkedHashMap<>();
        Matcher m = SYSTEM_PROPERTY.matcher(javaLine);
        while (m.find()) {
            properties.put(m.group(1), m.group(2).replace("\"", ""));
        }
        return properties;
    }
}
