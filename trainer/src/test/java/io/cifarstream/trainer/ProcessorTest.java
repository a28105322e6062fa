package io.cifarstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class ProcessorTest {
    /** /proc/cpuinfo of a two-core AMD family 25 (Zen 4) virtual machine, as read there (the second core cut short). */
    private static final String ZEN4 = """
processor	: 0
vendor_id	: AuthenticAMD
cpu family	: 25
model		: 17
model name	: AMD EPYC
stepping	: 1
microcode	: 0x1000065
cpu MHz		: 2596.130
cache size	: 1024 KB
physical id	: 0
siblings	: 2
core id		: 0
cpu cores	: 2
apicid		: 0
initial apicid	: 0
fpu		: yes
fpu_exception	: yes
cpuid level	: 28
wp		: yes
flags		: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ht syscall nx mmxext fxsr_opt pdpe1gb rdtscp lm constant_tsc rep_good nopl xtopology nonstop_tsc cpuid extd_apicid tsc_known_freq pni pclmulqdq ssse3 fma cx16 pcid sse4_1 sse4_2 x2apic movbe popcnt tsc_deadline_timer aes xsave avx f16c rdrand hypervisor lahf_lm cmp_legacy cr8_legacy abm sse4a misalignsse 3dnowprefetch osvw topoext cpuid_fault vmmcall fsgsbase tsc_adjust bmi1 avx2 smep bmi2 erms invpcid avx512f avx512dq rdseed adx smap avx512ifma clflushopt clwb avx512cd sha_ni avx512bw avx512vl xsaveopt xsavec xgetbv1 xsaves avx512_bf16 clzero xsaveerptr arat avx512vbmi umip avx512_vbmi2 gfni vaes vpclmulqdq avx512_vnni avx512_bitalg avx512_vpopcntdq rdpid fsrm
bugs		: sysret_ss_attrs null_seg spectre_v1 spectre_v2 spec_store_bypass srso spectre_v2_user tsa
bogomips	: 5192.26
TLB size	: 3584 4K pages
clflush size	: 64
cache_alignment	: 64
address sizes	: 48 bits physical, 48 bits virtual
power management:

processor	: 1
vendor_id	: AuthenticAMD
cpu family	: 25
model		: 17
model name	: AMD EPYC
stepping	: 1
""";

    @Test
    void theFirstProcessorsNameFamilyModelAndVectorFlagsAreRead() {
        Processor processor = Processor.parse(ZEN4, 2);

        assertThat(processor.vendor()).isEqualTo("AuthenticAMD");
        assertThat(processor.modelName()).isEqualTo("AMD EPYC");
        assertThat(processor.family()).isEqualTo(25);
        assertThat(processor.model()).isEqualTo(17);
        assertThat(processor.vectorFlags()).contains("avx512f", "avx512_bf16", "avx512_vnni")
                .allMatch(flag -> flag.startsWith("avx512") || flag.startsWith("amx"));
    }

    @Test
    void theJsonCarriesTheCoresAndTheProcessor() {
        ObjectNode json = new ObjectMapper().createObjectNode();

        Processor.parse(ZEN4, 2).describeIn(json);

        assertThat(json.get("cores").asInt()).isEqualTo(2);
        assertThat(json.at("/cpu/family").asInt()).isEqualTo(25);
        assertThat(json.at("/cpu/model_name").asText()).isEqualTo("AMD EPYC");
        assertThat(json.at("/cpu/vector_flags").toString()).contains("\"avx512_bf16\"");
    }

    @Test
    void aProcessorWithoutFamilyOrFlagsLinesIsStillDescribed() {
        Processor processor = Processor.parse("processor\t: 0\nBogoMIPS\t: 50.00\nCPU implementer\t: 0x41\n", 4);

        assertThat(processor.family()).isEqualTo(-1);
        assertThat(processor.vectorFlags()).isEmpty();
        assertThat(processor.cores()).isEqualTo(4);
    }
}
