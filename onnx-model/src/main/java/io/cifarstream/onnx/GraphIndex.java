package io.cifarstream.onnx;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import io.cifarstream.onnx.proto.Onnx.GraphProto;
import io.cifarstream.onnx.proto.Onnx.NodeProto;
import io.cifarstream.onnx.proto.Onnx.TensorProto;
import io.cifarstream.onnx.proto.Onnx.ValueInfoProto;

/**
 * Who produces and who consumes each tensor of a graph, and its initializers by name: the questions a graph edit
 * asks. A snapshot: edits make a new graph and, if needed, a new index.
 */
public final class GraphIndex {
    private final GraphProto graph;
    private final Map<String, NodeProto> producers = new HashMap<>();
    private final Map<String, List<NodeProto>> consumers = new HashMap<>();
    private final Map<String, TensorProto> initializers = new LinkedHashMap<>();
    private final Set<String> outputs;

    public GraphIndex(GraphProto graph) {
        this.graph = graph;
        for (NodeProto node : graph.getNodeList()) {
            for (String output : node.getOutputList()) {
                producers.put(output, node);
            }
            for (String input : node.getInputList()) {
                if (!input.isEmpty()) {
                    consumers.computeIfAbsent(input, k -> new ArrayList<>()).add(node);
                }
            }
        }
        for (TensorProto initializer : graph.getInitializerList()) {
            initializers.put(initializer.getName(), initializer);
        }
        this.outputs = graph.getOutputList().stream().map(ValueInfoProto::getName).collect(Collectors.toSet());
    }

    public GraphProto graph() {
        return graph;
    }

    /** The node that computes {@code tensor}; empty for graph inputs and initializers. */
    public Optional<NodeProto> producer(String tensor) {
        return Optional.ofNullable(producers.get(tensor));
    }

    /** The nodes that read {@code tensor}, in graph order. */
    public List<NodeProto> consumers(String tensor) {
        return consumers.getOrDefault(tensor, List.of());
    }

    /**
     * The node that alone reads {@code tensor}, when exactly one default-domain node reads it and it is not a graph
     * output: the node a rewrite may change without another reader noticing.
     */
    public Optional<NodeProto> soleReader(String tensor) {
        List<NodeProto> readers = consumers(tensor);
        if (readers.size() != 1 || isGraphOutput(tensor) || !Nodes.isStandard(readers.get(0))) {
            return Optional.empty();
        }
        return Optional.of(readers.get(0));
    }

    public Optional<TensorProto> initializer(String name) {
        return Optional.ofNullable(initializers.get(name));
    }

    public boolean isGraphOutput(String tensor) {
        return outputs.contains(tensor);
    }

    /** The graph's op types in node order, with their domain when it is not the default one ("com.microsoft.QGemm"). */
    public List<String> opTypes() {
        return graph.getNodeList().stream()
                .map(n -> Nodes.isStandard(n) ? n.getOpType() : n.getDomain() + "." + n.getOpType()).toList();
    }
}
