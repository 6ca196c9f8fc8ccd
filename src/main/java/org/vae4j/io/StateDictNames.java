package org.vae4j.io;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The names of a PyTorch state_dict without vae4j metadata, renamed to the names the codecs
 * recognise ({@link ModelFiles#load(Path, Map)}): first the caller's name map, then the known
 * layouts of other modules, in this order:
 * <ol>
 *   <li>a wrapper's prefix on every name: {@code module.} (nn.DataParallel), {@code _orig_mod.}
 *       (torch.compile), {@code model.};</li>
 *   <li>submodules named {@code encoder} and {@code decoder} holding named layers:
 *       {@code encoder.fc1} is {@code fc1}, {@code decoder.fc4} is {@code fc4};</li>
 *   <li>the heads' other names: {@code fc21}/{@code fc22} (pytorch/examples' vae/main.py),
 *       {@code fc_var}, {@code mu}, {@code logvar}, {@code log_var}, {@code fc_log_var} are
 *       {@code fc_mu}/{@code fc_logvar};</li>
 *   <li>nn.Sequential indices: Linear layers at indices other than 0, 2, 4, ... (a Dropout between
 *       them) renumbered in order; a single top-level nn.Sequential autoencoder split at its
 *       narrowest layer into {@code encoder.N}/{@code decoder.N}; a one-hidden-layer VAE's
 *       {@code encoder.0}, {@code decoder.0}, {@code decoder.2} named as the seed VAE's
 *       {@code fc1}, {@code fc3}, {@code fc4}.</li>
 * </ol>
 * A name map entry renames a whole tensor ({@code enc.mean.weight}) or a module, every tensor
 * under it ({@code enc.mean} to {@code fc_mu}). Stateless.
 */
final class StateDictNames {

    /** The wrappers whose prefix on every name is dropped. */
    private static final List<String> WRAPPERS = List.of("module", "_orig_mod", "model");
    /** Other modules' names of the heads. */
    private static final Map<String, String> HEADS = Map.of("fc21", "fc_mu", "fc22", "fc_logvar",
            "fc_var", "fc_logvar", "mu", "fc_mu", "logvar", "fc_logvar", "log_var", "fc_logvar",
            "fc_log_var", "fc_logvar");

    private StateDictNames() {
    }

    /**
     * A file's tensors under the names the model reads.
     *
     * @param tensors   the tensors by model name (each named so)
     * @param fileNames each model name's tensor name in the file
     * @param renamings what was renamed, for messages, e.g. {@code fc21 -> fc_mu}
     */
    record View(Map<String, TensorInfo> tensors, Map<String, String> fileNames, List<String> renamings) {

        /** The tensor's name in the file. */
        String inFile(String name) {
            return fileNames.getOrDefault(name, name);
        }
    }

    /** The file's own names. */
    static View identity(Map<String, TensorInfo> tensors) {
        Map<String, String> names = new LinkedHashMap<>();
        tensors.keySet().forEach(n -> names.put(n, n));
        return new View(tensors, names, List.of());
    }

    /**
     * The tensors renamed by {@code names} (old to new, tensors or modules), then by the known layouts.
     *
     * @throws ModelFileException when a name map entry matches no tensor, or two tensors would get one name
     */
    static View of(Map<String, TensorInfo> tensors, Map<String, String> names, Path file) throws ModelFileException {
        Map<String, String> current = new LinkedHashMap<>(); // current name -> name in the file
        tensors.keySet().forEach(n -> current.put(n, n));
        List<String> renamings = new ArrayList<>();
        Map<String, String> r = current;
        if (!names.isEmpty()) {
            r = userMap(r, names, file, renamings);
        }
        r = dropWrapper(r, file, renamings);
        r = renameModules(r, file, renamings, m -> {
            int dot = m.indexOf('.');
            if (dot > 0 && (m.startsWith("encoder.") || m.startsWith("decoder."))
                    && !Character.isDigit(m.charAt(dot + 1))) {
                return m.substring(dot + 1);
            }
            return m;
        });
        r = renameModules(r, file, renamings, m -> HEADS.getOrDefault(m, m));
        r = sequential(r, tensors, file, renamings);
        Map<String, TensorInfo> view = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : r.entrySet()) {
            TensorInfo t = tensors.get(e.getValue());
            view.put(e.getKey(), new TensorInfo(e.getKey(), t.dtype(), t.shape(), t.numel(), t.begin(), t.end()));
        }
        return new View(view, r, renamings);
    }

    /** The caller's map: an entry renames the tensor of that name, or every tensor of that module. */
    private static Map<String, String> userMap(Map<String, String> current, Map<String, String> names, Path file,
                                               List<String> renamings) throws ModelFileException {
        Map<String, String> out = new LinkedHashMap<>();
        Set<String> used = new java.util.HashSet<>();
        for (Map.Entry<String, String> e : current.entrySet()) {
            String n = e.getKey();
            String renamed = n;
            for (Map.Entry<String, String> m : names.entrySet()) {
                if (n.equals(m.getKey())) {
                    renamed = m.getValue();
                } else if (n.startsWith(m.getKey() + ".")) {
                    renamed = m.getValue() + n.substring(m.getKey().length());
                } else {
                    continue;
                }
                used.add(m.getKey());
                break;
            }
            put(out, renamed, e.getValue(), file);
        }
        for (String k : names.keySet()) {
            if (!used.contains(k)) {
                throw new ModelFileException(file, "the name map's '" + k + "' matches no tensor or module of the "
                        + "file; it holds " + current.keySet());
            }
        }
        renamings.add("the name map " + names);
        return out;
    }

    private static Map<String, String> dropWrapper(Map<String, String> current, Path file, List<String> renamings)
            throws ModelFileException {
        for (String w : WRAPPERS) {
            if (!current.isEmpty() && current.keySet().stream().allMatch(n -> n.startsWith(w + ".")
                    && n.indexOf('.', w.length() + 1) > 0)) {
                Map<String, String> out = new LinkedHashMap<>();
                for (Map.Entry<String, String> e : current.entrySet()) {
                    put(out, e.getKey().substring(w.length() + 1), e.getValue(), file);
                }
                renamings.add("dropped the prefix " + w + ".");
                return out;
            }
        }
        return current;
    }

    /** Renames each tensor's module (its name without the last {@code .part}) by {@code rule}. */
    private static Map<String, String> renameModules(Map<String, String> current, Path file, List<String> renamings,
                                                     java.util.function.UnaryOperator<String> rule)
            throws ModelFileException {
        Map<String, String> out = new LinkedHashMap<>();
        Map<String, String> done = new TreeMap<>();
        for (Map.Entry<String, String> e : current.entrySet()) {
            String n = e.getKey();
            int dot = n.lastIndexOf('.');
            if (dot <= 0) {
                put(out, n, e.getValue(), file);
                continue;
            }
            String module = n.substring(0, dot);
            String renamed = rule.apply(module);
            if (!renamed.equals(module) && !current.containsKey(renamed + n.substring(dot))) {
                done.put(module, renamed);
                put(out, renamed + n.substring(dot), e.getValue(), file);
            } else {
                put(out, n, e.getValue(), file);
            }
        }
        done.forEach((a, b) -> renamings.add(a + " -> " + b));
        return out;
    }

    /** The nn.Sequential rules of the class comment. */
    private static Map<String, String> sequential(Map<String, String> current, Map<String, TensorInfo> tensors,
                                                  Path file, List<String> renamings) throws ModelFileException {
        Map<String, String> r = current;
        if (!r.isEmpty() && r.keySet().stream().allMatch(n -> n.matches("[0-9]{1,6}\\.(weight|bias)"))) {
            r = splitAutoencoder(r, tensors, file, renamings);
        }
        for (String side : List.of("encoder", "decoder")) {
            TreeMap<Integer, String> layers = indices(r, side);
            Map<String, String> renumber = new LinkedHashMap<>();
            int expected = 0;
            for (int i : layers.keySet()) {
                if (i != expected) {
                    renumber.put(side + "." + i, side + "." + expected);
                }
                expected += 2;
            }
            if (!renumber.isEmpty()) {
                r = renameModules(r, file, renamings, m -> renumber.getOrDefault(m, m));
            }
        }
        if (r.containsKey("fc_mu.weight") && !r.containsKey("fc1.weight") && indices(r, "encoder").size() == 1
                && indices(r, "decoder").size() == 2) {
            Map<String, String> seed = Map.of("encoder.0", "fc1", "decoder.0", "fc3", "decoder.2", "fc4");
            r = renameModules(r, file, renamings, m -> seed.getOrDefault(m, m));
        }
        return r;
    }

    /** The nn.Sequential indices of {@code side}'s Linear weights ({@code side.N.weight}). */
    private static TreeMap<Integer, String> indices(Map<String, String> current, String side) {
        TreeMap<Integer, String> layers = new TreeMap<>();
        for (String n : current.keySet()) {
            if (n.matches(side + "\\.[0-9]{1,6}\\.weight")) {
                layers.put(Integer.parseInt(n.substring(side.length() + 1, n.length() - ".weight".length())), n);
            }
        }
        return layers;
    }

    /**
     * One top-level nn.Sequential of Linear layers (N.weight, N.bias) as an autoencoder: the
     * encoder is the layers up to the narrowest one (the code), the decoder the rest.
     */
    private static Map<String, String> splitAutoencoder(Map<String, String> current, Map<String, TensorInfo> tensors,
                                                        Path file, List<String> renamings) throws ModelFileException {
        TreeMap<Integer, Long> widths = new TreeMap<>();
        for (Map.Entry<String, String> e : current.entrySet()) {
            if (e.getKey().endsWith(".weight")) {
                TensorInfo t = tensors.get(e.getValue());
                if (t.rank() != 2) {
                    return current; // not Linear layers: left to the codecs to refuse
                }
                widths.put(Integer.parseInt(e.getKey().substring(0, e.getKey().indexOf('.'))), t.shape()[0]);
            }
        }
        List<Integer> order = new ArrayList<>(widths.keySet());
        int code = 0;
        for (int i = 1; i < order.size(); i++) {
            if (widths.get(order.get(i)) < widths.get(order.get(code))) {
                code = i;
            }
        }
        if (code == order.size() - 1) {
            return current;
        }
        Map<String, String> modules = new LinkedHashMap<>();
        for (int i = 0; i < order.size(); i++) {
            modules.put(Integer.toString(order.get(i)), i <= code ? "encoder." + 2 * i : "decoder." + 2 * (i - code - 1));
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : current.entrySet()) {
            String n = e.getKey();
            int dot = n.indexOf('.');
            put(out, modules.get(n.substring(0, dot)) + n.substring(dot), e.getValue(), file);
        }
        renamings.add("split the nn.Sequential at its narrowest layer " + order.get(code) + " into encoder and decoder");
        return out;
    }

    private static void put(Map<String, String> out, String name, String fileName, Path file)
            throws ModelFileException {
        String before = out.put(name, fileName);
        if (before != null) {
            throw new ModelFileException(file, "tensors " + before + " and " + fileName + " would both be named "
                    + name);
        }
    }
}
