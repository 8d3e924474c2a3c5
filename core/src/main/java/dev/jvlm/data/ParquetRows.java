package dev.jvlm.data;

import dev.jvlm.JvlmException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.MessageColumnIO;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * Reads the rows of a parquet file as plain Java values, the way Hugging Face {@code datasets} sees
 * them: strings for UTF-8 columns, {@code byte[]} for binary ones (image bytes), {@code Long} and
 * {@code Double} for numbers, {@code Map} for structs ({@code {"bytes", "path"}} image cells) and
 * {@code List} for lists (Arrow's three-level {@code LIST} layout and the legacy two-level one).
 */
public final class ParquetRows {

    private ParquetRows() {
    }

    /** Every row of the file, in order; a row is column name to value (null where the value is null). */
    public static List<Map<String, Object>> read(Path file) {
        ParquetReadOptions options = ParquetReadOptions.builder().withCodecFactory(new PureJavaCodecs()).build();
        List<Map<String, Object>> rows = new ArrayList<>();
        try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file), options)) {
            MessageType schema = reader.getFooter().getFileMetaData().getSchema();
            MessageColumnIO columns = new ColumnIOFactory().getColumnIO(schema);
            for (PageReadStore pages = reader.readNextRowGroup(); pages != null; pages = reader.readNextRowGroup()) {
                RecordReader<Group> records = columns.getRecordReader(pages, new GroupRecordConverter(schema));
                for (long r = 0; r < pages.getRowCount(); r++) {
                    rows.add(struct(records.read()));
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new JvlmException(file + ": cannot read as parquet: " + describe(e), e);
        }
        return rows;
    }

    private static String describe(Exception e) {
        StringBuilder s = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            s.append(" (").append(c.getMessage()).append(')');
        }
        return s.toString();
    }

    private static Map<String, Object> struct(Group group) {
        Map<String, Object> out = new LinkedHashMap<>();
        GroupType type = group.getType();
        for (int f = 0; f < type.getFieldCount(); f++) {
            Type field = type.getType(f);
            int count = group.getFieldRepetitionCount(f);
            if (field.isRepetition(Type.Repetition.REPEATED)) {
                List<Object> values = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    values.add(value(group, f, i, field));
                }
                out.put(field.getName(), values);
            } else {
                out.put(field.getName(), count == 0 ? null : value(group, f, 0, field));
            }
        }
        return out;
    }

    private static Object value(Group group, int field, int index, Type type) {
        if (type.isPrimitive()) {
            return primitive(group, field, index, type.asPrimitiveType());
        }
        Group child = group.getGroup(field, index);
        if (type.getLogicalTypeAnnotation() instanceof LogicalTypeAnnotation.ListLogicalTypeAnnotation) {
            return list(child);
        }
        return struct(child);
    }

    /**
     * A {@code LIST}-annotated group: one repeated field whose entries are the elements, either
     * wrapped in a single-field group ({@code list.element}, {@code array.item}, ...) or bare.
     */
    private static List<Object> list(Group listGroup) {
        GroupType type = listGroup.getType();
        Type repeated = type.getType(0);
        int count = listGroup.getFieldRepetitionCount(0);
        List<Object> out = new ArrayList<>(count);
        boolean wrapped = !repeated.isPrimitive() && repeated.asGroupType().getFieldCount() == 1
                && !repeated.getName().equals("array") && !repeated.getName().equals(type.getName() + "_tuple");
        for (int i = 0; i < count; i++) {
            if (!wrapped) {
                out.add(value(listGroup, 0, i, repeated));
                continue;
            }
            Group entry = listGroup.getGroup(0, i);
            Type element = repeated.asGroupType().getType(0);
            out.add(entry.getFieldRepetitionCount(0) == 0 ? null : value(entry, 0, 0, element));
        }
        return out;
    }

    private static Object primitive(Group group, int field, int index, PrimitiveType type) {
        LogicalTypeAnnotation logical = type.getLogicalTypeAnnotation();
        return switch (type.getPrimitiveTypeName()) {
            case BINARY, FIXED_LEN_BYTE_ARRAY -> logical instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation
                    || logical instanceof LogicalTypeAnnotation.JsonLogicalTypeAnnotation
                    || logical instanceof LogicalTypeAnnotation.EnumLogicalTypeAnnotation
                    ? group.getString(field, index) : group.getBinary(field, index).getBytes();
            case INT32 -> (long) group.getInteger(field, index);
            case INT64 -> group.getLong(field, index);
            case FLOAT -> (double) group.getFloat(field, index);
            case DOUBLE -> group.getDouble(field, index);
            case BOOLEAN -> group.getBoolean(field, index);
            case INT96 -> group.getInt96(field, index).getBytes();
        };
    }
}
