using System.Text.Json;
using System.Text.Json.Serialization;

namespace ToApis.Emulator.Hosting;

internal static class EmulatorJson
{
    /// <summary>snake_case members as in the contract; absent optional fields are left out rather than sent as null.</summary>
    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.Converters.Add(new JsonStringEnumConverter());
    }
}
