package io.cifarstream.trainer.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Byte-exact against the examples of the protobuf encoding guide. */
class ProtoWriterTest {

    @Test
    void encodesVarintsStringsFloatsAndNestedMessagesAsTheWireFormatSpecifies() {
        assertThat(new ProtoWriter().varint(1, 150).toByteArray()).containsExactly(0x08, 0x96, 0x01);
        assertThat(new ProtoWriter().string(2, "testing").toByteArray())
                .containsExactly(0x12, 0x07, 't', 'e', 's', 't', 'i', 'n', 'g');
        assertThat(new ProtoWriter().float32(2, 1.0f).toByteArray()).containsExactly(0x15, 0x00, 0x00, 0x80, 0x3F);
        assertThat(new ProtoWriter().message(3, new ProtoWriter().varint(1, 150)).toByteArray())
                .containsExactly(0x1a, 0x03, 0x08, 0x96, 0x01);
        assertThat(new ProtoWriter().varint(1, -1).toByteArray()).hasSize(11);
    }
}
