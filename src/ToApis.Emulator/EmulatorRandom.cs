namespace ToApis.Emulator;

/// <summary>A thread-safe random source that is repeatable when a seed is given.</summary>
internal sealed class EmulatorRandom(int? seed)
{
    private readonly Random random = seed is { } value ? new Random(value) : new Random();
    private readonly Lock gate = new();

    public double NextDouble()
    {
        lock (gate)
        {
            return random.NextDouble();
        }
    }

    public int Next(int maxExclusive)
    {
        lock (gate)
        {
            return random.Next(maxExclusive);
        }
    }

    public void NextBytes(Span<byte> buffer)
    {
        lock (gate)
        {
            random.NextBytes(buffer);
        }
    }

    public string NextHex(int byteCount)
    {
        Span<byte> bytes = stackalloc byte[byteCount];
        NextBytes(bytes);
        return Convert.ToHexStringLower(bytes);
    }
}
