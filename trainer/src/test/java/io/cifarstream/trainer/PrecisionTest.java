package io.cifarstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

class PrecisionTest {
    /** The flags of a two-core AMD family 25 (Zen 4) virtual machine, as its /proc/cpuinfo lists them. */
    private static final String ZEN4_FLAGS = "flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca "
            + "cmov pat pse36 clflush mmx fxsr sse sse2 ht syscall nx mmxext fxsr_opt pdpe1gb rdtscp lm constant_tsc "
            + "rep_good nopl xtopology nonstop_tsc cpuid extd_apicid tsc_known_freq pni pclmulqdq ssse3 fma cx16 "
            + "pcid sse4_1 sse4_2 x2apic movbe popcnt tsc_deadline_timer aes xsave avx f16c rdrand hypervisor "
            + "lahf_lm cmp_legacy cr8_legacy abm sse4a misalignsse 3dnowprefetch osvw topoext cpuid_fault vmmcall "
            + "fsgsbase tsc_adjust bmi1 avx2 smep bmi2 erms invpcid avx512f avx512dq rdseed adx smap avx512ifma "
            + "clflushopt clwb avx512cd sha_ni avx512bw avx512vl xsaveopt xsavec xgetbv1 xsaves avx512_bf16 clzero "
            + "xsaveerptr arat avx512vbmi umip avx512_vbmi2 gfni vaes vpclmulqdq avx512_vnni avx512_bitalg "
            + "avx512_vpopcntdq rdpid fsrm";
    /** AVX-512 without its bfloat16 extension (e.g. Intel Skylake-SP or Ice Lake servers). */
    private static final String AVX512_ONLY_FLAGS = "flags\t\t: fpu sse sse2 avx avx2 fma avx512f avx512dq avx512cd "
            + "avx512bw avx512vl avx512_vnni";
    /** Intel Sapphire Rapids lists AMX's bfloat16 tiles beside AVX512-BF16. */
    private static final String AMX_FLAGS = "flags\t\t: fpu sse sse2 avx avx2 avx512f avx512bw avx512vl amx_tile "
            + "amx_bf16 amx_int8";

    @Test
    void bfloat16WhereTheCpuMultipliesItNatively() {
        assertThat(fastestFor(List.of("processor\t: 0", "cpu family\t: 25", ZEN4_FLAGS)))
                .isEqualTo(Precision.BFLOAT16);
        assertThat(fastestFor(List.of(AMX_FLAGS))).isEqualTo(Precision.BFLOAT16);
    }

    @Test
    void float32WhereBfloat16WouldBeEmulatedOrNothingIsKnown() {
        assertThat(fastestFor(List.of(AVX512_ONLY_FLAGS))).isEqualTo(Precision.FLOAT32);
        assertThat(fastestFor(List.of("processor\t: 0"))).as("no flags line (not x86, or not Linux)")
                .isEqualTo(Precision.FLOAT32);
        assertThat(fastestFor(List.of())).isEqualTo(Precision.FLOAT32);
    }

    @Test
    void namesAreTheCommandLinesAndUnknownOnesSayWhatToUse() {
        assertThat(Precision.named("bfloat16")).isEqualTo(Precision.BFLOAT16);
        assertThat(Precision.named("Float32")).isEqualTo(Precision.FLOAT32);
        assertThat(Precision.BFLOAT16.label()).isEqualTo("bfloat16");
        assertThatThrownBy(() -> Precision.named("fp16")).hasMessageContaining("use float32 or bfloat16");
    }

    /** The precision {@link Precision#fastestFor} chooses for a processor whose /proc/cpuinfo has these lines. */
    private static Precision fastestFor(List<String> cpuinfoLines) {
        return Precision.fastestFor(Processor.parse(String.join("\n", cpuinfoLines), 2));
    }
}
