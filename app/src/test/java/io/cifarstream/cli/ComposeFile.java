package io.cifarstream.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * A docker-compose.yml as Compose reads it: YAML merge keys ({@code <<: *anchor}) resolved, duplicate keys
 * rejected, variables interpolated ({@code ${NAME:-default}} and {@code ${NAME}}, from the variables given, else the
 * default; {@code $$} stays, the shell's).
 */
record ComposeFile(Map<String, Object> root) {

    private static final Pattern VARIABLE = Pattern.compile("(?<!\\$)\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

    /** The file as Compose reads it with no variables set: every variable takes its default. */
    static ComposeFile load(Path file) throws IOException {
        return load(file, Map.of());
    }

    /** The file as Compose reads it with {@code variables} set, e.g. from an {@code --env-file}. */
    static ComposeFile load(Path file, Map<String, String> variables) throws IOException {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        try (Reader reader = Files.newBufferedReader(file)) {
            Object document = new Yaml(new SafeConstructor(options)).load(reader);
            return new ComposeFile(YamlValues.map(interpolate(document, variables), file.getFileName().toString()));
        }
    }

    /** A Compose env file: NAME=VALUE lines, comments and blank lines skipped. */
    static Map<String, String> envFile(Path file) throws IOException {
        Map<String, String> variables = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            String trimmed = line.strip();
            if (!trimmed.isEmpty() && !trimmed.startsWith("#")) {
                int equals = trimmed.indexOf('=');
                variables.put(trimmed.substring(0, equals).strip(), trimmed.substring(equals + 1).strip());
            }
        }
        return variables;
    }

    private static Object interpolate(Object value, Map<String, String> variables) {
        if (value instanceof String text) {
            Matcher matcher = VARIABLE.matcher(text);
            StringBuilder out = new StringBuilder();
            while (matcher.find()) {
                String resolved = variables.getOrDefault(matcher.group(1),
                        matcher.group(2) == null ? "" : matcher.group(2));
                matcher.appendReplacement(out, Matcher.quoteReplacement(resolved));
            }
            matcher.appendTail(out);
            return out.toString();
        }
        if (value instanceof Map<?, ?> map) {
            Map<Object, Object> resolved = new LinkedHashMap<>();
            map.forEach((key, item) -> resolved.put(key, interpolate(item, variables)));
            return resolved;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(item -> interpolate(item, variables)).toList();
        }
        return value;
    }

    /** The services a {@code docker compose up} with these profiles runs: those without a profile, and theirs. */
    Map<String, ComposeService> servicesOf(Set<String> profiles) {
        Map<String, ComposeService> running = new LinkedHashMap<>();
        services().forEach((name, service) -> {
            if (service.profiles().isEmpty() || service.profiles().stream().anyMatch(profiles::contains)) {
                running.put(name, service);
            }
        });
        return running;
    }

    /** Every service, in file order. */
    Map<String, ComposeService> services() {
        Map<String, ComposeService> services = new LinkedHashMap<>();
        YamlValues.map(root.get("services"), "services")
                .forEach((name, definition) -> services.put(name,
                        new ComposeService(name, YamlValues.map(definition, "services." + name))));
        return services;
    }

    ComposeService service(String name) {
        ComposeService service = services().get(name);
        if (service == null) {
            throw new AssertionError("docker-compose.yml has no service '" + name + "'; it has " + services().keySet());
        }
        return service;
    }

    /** The named volumes declared at the top level. */
    Set<String> namedVolumes() {
        Object volumes = root.get("volumes");
        return volumes == null ? Set.of() : YamlValues.map(volumes, "volumes").keySet();
    }

    /** The services that run the cifar-stream image: those built from this repository's Dockerfile. */
    List<ComposeService> cifarStreamServices() {
        return services().values().stream().filter(ComposeService::runsCifarStream).toList();
    }
}
