using System.Buffers.Binary;

namespace ToApis.Emulator.Tasks;

/// <summary>ULIDs as in live task IDs (<c>tsk_img_01KSWX9YZJREDY9Q5W361KR8QW</c>): 48-bit milliseconds + 80 random bits.</summary>
internal static class Ulid
{
    private const string CrockfordBase32 = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    private const int Length = 26;

    public static string Create(DateTimeOffset time, EmulatorRandom random)
    {
        Span<byte> bytes = stackalloc byte[16];
        var milliseconds = (ulong)time.ToUnixTimeMilliseconds();
        BinaryPrimitives.WriteUInt64BigEndian(bytes[..8], milliseconds << 16);
        random.NextBytes(bytes[6..]);

        var value = BinaryPrimitives.ReadUInt128BigEndian(bytes);
        Span<char> text = stackalloc char[Length];
        for (var i = Length - 1; i >= 0; i--)
        {
            text[i] = CrockfordBase32[(int)(value & 31)];
            value >>= 5;
        }

        return new string(text);
    }
}
