package io.cifarstream.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * A Dockerfile's instructions as Docker reads them: comments dropped, backslash-continued lines joined. The image
 * that runs is the final stage, after the last {@code FROM}.
 */
record Dockerfile(List<Instruction> instructions) {

    /** One instruction: its keyword in upper case and the rest of its (joined) line. */
    record Instruction(String keyword, String arguments) {
    }

    static Dockerfile load(Path file) throws IOException {
        List<Instruction> instructions = new ArrayList<>();
        StringBuilder pending = new StringBuilder();
        for (String line : Files.readAllLines(file)) {
            String trimmed = line.strip();
            if (trimmed.startsWith("#") || (trimmed.isEmpty() && pending.isEmpty())) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                pending.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            pending.append(trimmed);
            String joined = pending.toString().strip();
            pending.setLength(0);
            if (!joined.isEmpty()) {
                String[] parts = joined.split("\\s+", 2);
                instructions.add(new Instruction(parts[0].toUpperCase(), parts.length > 1 ? parts[1] : ""));
            }
        }
        return new Dockerfile(instructions);
    }

    List<Instruction> finalStage() {
        int lastFrom = -1;
        for (int i = 0; i < instructions.size(); i++) {
            if (instructions.get(i).keyword().equals("FROM")) {
                lastFrom = i;
            }
        }
        return instructions.subList(lastFrom + 1, instructions.size());
    }

    /** Every build argument declared anywhere ({@code ARG NAME[=default]}), with its default ("" when none). */
    Map<String, String> args() {
        Map<String, String> args = new LinkedHashMap<>();
        for (Instruction instruction : instructions) {
            if (instruction.keyword().equals("ARG")) {
                String[] nameAndDefault = instruction.arguments().split("=", 2);
                args.put(nameAndDefault[0].strip(), nameAndDefault.length > 1 ? nameAndDefault[1].strip() : "");
            }
        }
        return args;
    }

    /** The final stage's ENTRYPOINT, which must be in exec form (a JSON array, which YAML reads too). */
    List<String> entrypoint() {
        String exec = last("ENTRYPOINT").orElseThrow(() -> new AssertionError("the Dockerfile has no ENTRYPOINT"));
        return YamlValues.strings(new Yaml(new SafeConstructor(new LoaderOptions())).load(exec), "ENTRYPOINT");
    }

    /** The final stage's environment ({@code ENV NAME=VALUE ...}; values without spaces). */
    Map<String, String> env() {
        Map<String, String> env = new LinkedHashMap<>();
        for (Instruction instruction : finalStage()) {
            if (instruction.keyword().equals("ENV")) {
                for (String pair : instruction.arguments().split("\\s+")) {
                    String[] nameAndValue = pair.split("=", 2);
                    if (nameAndValue.length != 2) {
                        throw new AssertionError("ENV " + instruction.arguments() + ": use NAME=VALUE pairs");
                    }
                    env.put(nameAndValue[0], nameAndValue[1]);
                }
            }
        }
        return env;
    }

    /** The final stage's COPY instructions as their words, flags ({@code --from=...}) left out: sources, then target. */
    List<List<String>> copies() {
        return finalStage().stream()
                .filter(instruction -> instruction.keyword().equals("COPY"))
                .map(instruction -> List.of(instruction.arguments().split("\\s+")).stream()
                        .filter(word -> !word.startsWith("--")).toList())
                .toList();
    }

    /** The final stage's last value of {@code keyword}. */
    Optional<String> last(String keyword) {
        return finalStage().stream().filter(instruction -> instruction.keyword().equals(keyword))
                .reduce((first, second) -> second).map(Instruction::arguments);
    }
}
