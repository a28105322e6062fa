package io.cifarstream.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * A docker-compose.yml as Compose reads it: YAML merge keys ({@code <<: *anchor}) resolved, duplicate keys
 * rejected. Compose's own variable interpolation ({@code ${DATA_DIR:-./data}}) is left as written.
 */
record ComposeFile(Map<String, Object> root) {

    static ComposeFile load(Path file) throws IOException {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        try (Reader reader = Files.newBufferedReader(file)) {
            Object document = new Yaml(new SafeConstructor(options)).load(reader);
            return new ComposeFile(YamlValues.map(document, file.getFileName().toString()));
        }
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
