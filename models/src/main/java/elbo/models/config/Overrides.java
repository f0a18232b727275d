package elbo.models.config;

import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * nanoGPT-style configuration: an experiment's settings are a record whose defaults live in one static
 * factory (each with a comment), and {@code --key=value} arguments override individual components.
 * {@link #describe} prints the resolved configuration, which every command shows first.
 */
public final class Overrides {
    private Overrides() {
    }

    /**
     * {@code defaults} with every {@code --key=value} in {@code args} applied. Keys are record component
     * names; values are parsed by the component's type (int, long, double, boolean, String, enum).
     *
     * @throws IllegalArgumentException naming the argument when it is not {@code --key=value}, the key is
     *                                  unknown (listing the valid keys), or the value does not parse
     */
    public static <R extends Record> R apply(R defaults, List<String> args) {
        RecordComponent[] components = defaults.getClass().getRecordComponents();
        Map<String, Object> values = new LinkedHashMap<>();
        for (RecordComponent c : components) {
            values.put(c.getName(), read(c, defaults));
        }
        for (String arg : args) {
            if (!arg.startsWith("--") || !arg.contains("=")) {
                throw new IllegalArgumentException("argument '" + arg + "' is not of the form --key=value");
            }
            String key = arg.substring(2, arg.indexOf('='));
            String raw = arg.substring(arg.indexOf('=') + 1);
            RecordComponent c = find(components, key);
            if (c == null) {
                throw new IllegalArgumentException("unknown setting '--" + key + "'; valid settings: "
                        + String.join(", ", values.keySet()));
            }
            values.put(key, parse(c.getType(), raw, key));
        }
        return construct(defaults, components, values);
    }

    /** The resolved configuration, one {@code key = value} per line. */
    public static String describe(Record config) {
        StringBuilder sb = new StringBuilder(config.getClass().getSimpleName()).append(":\n");
        for (RecordComponent c : config.getClass().getRecordComponents()) {
            sb.append(String.format(Locale.ROOT, "  %-22s = %s%n", c.getName(), read(c, config)));
        }
        return sb.toString();
    }

    /** The configuration as a JSON object of strings and numbers, for summaries and checkpoints. */
    public static String toJson(Record config) {
        List<String> parts = new ArrayList<>();
        for (RecordComponent c : config.getClass().getRecordComponents()) {
            Object v = read(c, config);
            String value = v instanceof Number || v instanceof Boolean ? v.toString()
                    : "\"" + String.valueOf(v).replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
            parts.add("\"" + c.getName() + "\": " + value);
        }
        return "{" + String.join(", ", parts) + "}";
    }

    private static RecordComponent find(RecordComponent[] components, String key) {
        for (RecordComponent c : components) {
            if (c.getName().equals(key)) {
                return c;
            }
        }
        return null;
    }

    private static Object read(RecordComponent c, Record r) {
        try {
            return c.getAccessor().invoke(r);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read " + c.getName(), e);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object parse(Class<?> type, String raw, String key) {
        try {
            if (type == int.class) {
                return Integer.parseInt(raw);
            } else if (type == long.class) {
                return Long.parseLong(raw);
            } else if (type == double.class) {
                return Double.parseDouble(raw);
            } else if (type == boolean.class) {
                if (!raw.equals("true") && !raw.equals("false")) {
                    throw new IllegalArgumentException("expected true or false");
                }
                return Boolean.parseBoolean(raw);
            } else if (type == String.class) {
                return raw;
            } else if (type.isEnum()) {
                for (Object constant : type.getEnumConstants()) {
                    if (((Enum) constant).name().equalsIgnoreCase(raw)) {
                        return constant;
                    }
                }
                throw new IllegalArgumentException("expected one of " + java.util.Arrays.toString(
                        type.getEnumConstants()).toLowerCase(Locale.ROOT));
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--" + key + "=" + raw + ": " + e.getMessage(), e);
        }
        throw new IllegalStateException("unsupported setting type " + type + " for --" + key);
    }

    private static <R extends Record> R construct(R defaults, RecordComponent[] components, Map<String, Object> values) {
        Class<?>[] types = new Class<?>[components.length];
        Object[] args = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            types[i] = components[i].getType();
            args[i] = values.get(components[i].getName());
        }
        try {
            @SuppressWarnings("unchecked")
            Constructor<R> ctor = (Constructor<R>) defaults.getClass().getDeclaredConstructor(types);
            ctor.setAccessible(true);
            return ctor.newInstance(args);
        } catch (java.lang.reflect.InvocationTargetException e) {
            if (e.getCause() instanceof IllegalArgumentException iae) {
                throw iae; // the record's own validation, e.g. a non-positive size
            }
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot build " + defaults.getClass().getSimpleName(), e);
        }
    }
}
