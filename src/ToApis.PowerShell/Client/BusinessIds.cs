using System;

namespace ToApis.Client;

/// <summary>client_business_id values: the key for finding a task again after an ambiguous submit.</summary>
internal static class BusinessIds
{
    public const string Prefix = "toapis-ps-";

    public static string NewRandom() => Prefix + Guid.NewGuid().ToString("N");
}
