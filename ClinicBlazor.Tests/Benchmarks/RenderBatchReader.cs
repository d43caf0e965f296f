using System.Buffers.Binary;
using System.Text;

namespace ClinicBlazor.Tests.Benchmarks;

/// <summary>
/// Reads what a headless client needs from one of Blazor Server's binary render batches (the format
/// blazor.web.js decodes in OutOfProcessRenderBatch.ts): the strings it carries, the components it
/// updates, the frames those updates reference, and the event handlers it disposes. The batch ends with
/// five int32 offsets: updated components, reference frames, disposed component ids, disposed event
/// handler ids, string table.
/// </summary>
internal sealed class RenderBatchReader
{
    private const int FrameLength = 20;
    private const int EditLength = 16;

    private readonly byte[] data;
    private readonly int stringTable;

    public RenderBatchReader(byte[] data)
    {
        this.data = data;
        stringTable = Int(data.Length - 4);
    }

    public enum FrameType
    {
        Element = 1,
        Text = 2,
        Attribute = 3,
        Component = 4,
    }

    public enum EditType
    {
        PrependFrame = 1,
        SetAttribute = 3,
    }

    /// <summary>Every string in the batch (element names, texts, attribute names and values).</summary>
    public IEnumerable<string> Strings()
    {
        var count = (data.Length - 20 - stringTable) / 4;
        for (var index = 0; index < count; index++)
        {
            if (String(index) is { } text)
            {
                yield return text;
            }
        }
    }

    public int FrameCount => Int(Int(data.Length - 16));

    public FrameType TypeOf(int frame) => (FrameType)Int(FramePosition(frame));

    public int SubtreeLength(int frame) => Int(FramePosition(frame) + 4);

    public string? AttributeName(int frame) => String(Int(FramePosition(frame) + 4));

    /// <summary>An attribute's text value; null for event handlers, whose value is an id.</summary>
    public string? AttributeValue(int frame) => String(Int(FramePosition(frame) + 8));

    public ulong EventHandlerId(int frame) => BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(FramePosition(frame) + 12, 8));

    /// <summary>The attributes that directly follow an element frame (Blazor always writes them first).</summary>
    public IEnumerable<int> AttributesOf(int element)
    {
        var end = element + SubtreeLength(element);
        for (var frame = element + 1; frame < end && TypeOf(frame) == FrameType.Attribute; frame++)
        {
            yield return frame;
        }
    }

    /// <summary>For each updated component: its id and its edits (type and the reference frame it points at).</summary>
    public IEnumerable<(int ComponentId, IReadOnlyList<(EditType Type, int Frame)> Edits)> Diffs()
    {
        var range = Int(data.Length - 20);
        var count = Int(range);
        for (var index = 0; index < count; index++)
        {
            var diff = Int(range + 4 + index * 4);
            var editCount = Int(diff + 4);
            var edits = new List<(EditType, int)>(editCount);
            for (var edit = 0; edit < editCount; edit++)
            {
                var position = diff + 8 + edit * EditLength;
                edits.Add(((EditType)Int(position), Int(position + 8)));
            }

            yield return (Int(diff), edits);
        }
    }

    public IEnumerable<ulong> DisposedEventHandlerIds()
    {
        var range = Int(data.Length - 8);
        var count = Int(range);
        for (var index = 0; index < count; index++)
        {
            yield return BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(range + 4 + index * 8, 8));
        }
    }

    private int FramePosition(int frame) => Int(data.Length - 16) + 4 + frame * FrameLength;

    private int Int(int position) => BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(position, 4));

    /// <summary>A string-table entry: a LEB128 length, then UTF-8 (what .NET's BinaryWriter writes); -1 is null.</summary>
    private string? String(int index)
    {
        if (index < 0)
        {
            return null;
        }

        var position = Int(stringTable + index * 4);
        var length = 0;
        var shift = 0;
        byte part;
        do
        {
            part = data[position++];
            length |= (part & 0x7F) << shift;
            shift += 7;
        }
        while ((part & 0x80) != 0);

        return Encoding.UTF8.GetString(data, position, length);
    }
}
