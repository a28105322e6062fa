package io.cifarstream.trainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * This machine's processor, as {@code /proc/cpuinfo} names it: what {@link Precision#fastestHere} reads the vector
 * instructions from, and what every benchmark's JSON records beside its figures. Figures on machines with the same
 * core count differ by the processor's generation (an AMD family 25 core does 512-bit vector work in two 256-bit
 * halves, a family 26 core in one pass).
 *
 * @param vendor       {@code vendor_id}, e.g. AuthenticAMD
 * @param modelName    {@code model name}, as the (virtual) machine reports it
 * @param family       {@code cpu family} (AMD 25: Zen 3 and Zen 4; 26: Zen 5)
 * @param model        {@code model}
 * @param vectorFlags  the AVX-512 and AMX feature flags present, in the kernel's order
 * @param cores        the processors this JVM may use
 */
public record Processor(String vendor, String modelName, int family, int model, List<String> vectorFlags, int cores) {

    private static final Path CPUINFO = Path.of("/proc/cpuinfo");

    /** This machine's processor, or one with unknown fields where {@code /proc/cpuinfo} cannot be read. */
    public static Processor current() {
        int cores = Runtime.getRuntime().availableProcessors();
        try {
            return parse(Files.readString(CPUINFO), cores);
        } catch (IOException e) {
            return new Processor("", "", -1, -1, List.of(), cores);
        }
    }

    /** The first processor's fields in the text of {@code /proc/cpuinfo}. */
    static Processor parse(String cpuinfo, int cores) {
        String firstProcessor = cpuinfo.split("\n\\s*\n", 2)[0];
        List<String> vector = Arrays.stream(field(firstProcessor, "flags").split("\\s+"))
                .filter(flag -> flag.startsWith("avx512") || flag.startsWith("amx"))
                .toList();
        return new Processor(field(firstProcessor, "vendor_id"), field(firstProcessor, "model name"),
                number(field(firstProcessor, "cpu family")), number(field(firstProcessor, "model")), vector, cores);
    }

    private static int number(String text) {
        return text.matches("\\d+") ? Integer.parseInt(text) : -1;
    }

    private static String field(String processor, String name) {
        for (String line : processor.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equals(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return "";
    }

    /** Writes {@code cores} and a {@code cpu} object into {@code json}. */
    public void describeIn(ObjectNode json) {
        json.put("cores", cores);
        ObjectNode cpu = json.putObject("cpu");
        cpu.put("vendor", vendor);
        cpu.put("model_name", modelName);
        cpu.put("family", family);
        cpu.put("model", model);
        vectorFlags.forEach(cpu.putArray("vector_flags")::add);
    }
}
