package io.cifarstream.quantization;

/** The float range an activation is quantized over. */
record TensorRange(float min, float max) {
}
