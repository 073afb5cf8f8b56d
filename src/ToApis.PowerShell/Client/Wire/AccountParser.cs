using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using ToApis.Models;

namespace ToApis.Client.Wire;

/// <summary>
/// The New API-style account bodies: <c>{"success":true,"object":"list","data":[…]}</c> for models and
/// <c>{"success":true,"remain_balance",…}</c> for balances, whose failures arrive as HTTP 200 with success:false.
/// </summary>
internal static class AccountParser
{
    public static IReadOnlyList<ToApisModel> ParseModels(ApiResponse response, string requestDescription)
    {
        using var document = SuccessfulBody(response, requestDescription);
        var data = document.RootElement.Property("data");
        if (data is not { ValueKind: JsonValueKind.Array } list)
        {
            throw response.Unexpected(requestDescription, "no 'data' list in it");
        }

        return list.EnumerateArray().Where(item => item.String("id") is { Length: > 0 }).Select(ToModel).ToList();
    }

    public static ToApisBalance ParseBalance(ApiResponse response, string requestDescription, string scope)
    {
        using var document = SuccessfulBody(response, requestDescription);
        return BalanceFrom(document.RootElement, scope);
    }

    /// <summary>A balance from an object with the API's field names: the service's answer, or a journal's balance line.</summary>
    public static ToApisBalance BalanceFrom(JsonElement root, string scope) => new()
    {
        Scope = scope,
        RemainBalance = Decimal(root, "remain_balance"),
        UsedBalance = Decimal(root, "used_balance"),
        RemainCredits = Decimal(root, "remain_credits"),
        UsedCredits = Decimal(root, "used_credits"),
        CreditsPerUsd = Decimal(root, "credits_per_usd"),
        UnlimitedQuota = root.Property("unlimited_quota") is { ValueKind: JsonValueKind.True },
    };

    private static ToApisModel ToModel(JsonElement item)
    {
        var id = item.String("id")!;
        var documented = ModelCatalog.Find(id);
        return new ToApisModel
        {
            Id = id,
            OwnedBy = item.String("owned_by"),
            Created = item.UnixTime("created"),
            SupportedEndpointTypes = item.Property("supported_endpoint_types") is { ValueKind: JsonValueKind.Array } types
                ? types.EnumerateArray().Select(Json.AsText).OfType<string>().ToArray()
                : Array.Empty<string>(),
            Sizes = documented?.Sizes ?? Array.Empty<string>(),
            MaxReferenceImages = documented?.MaxReferenceImages,
            MaxCount = documented?.MaxCount,
        };
    }

    /// <summary>The parsed body, or the service's own reason when it says success:false (even on HTTP 200).</summary>
    private static JsonDocument SuccessfulBody(ApiResponse response, string requestDescription)
    {
        if (!response.IsSuccess)
        {
            throw response.ToException(requestDescription);
        }

        var document = Json.TryParse(response.Body);
        if (document?.RootElement is not { ValueKind: JsonValueKind.Object } root)
        {
            document?.Dispose();
            throw response.Unexpected(requestDescription);
        }

        if (root.Property("success") is { ValueKind: JsonValueKind.False })
        {
            document.Dispose();
            throw new ToApisApiException(
                ApiErrorKind.ServerError, response.StatusCode, null,
                $"{requestDescription} answered success:false: {response.Error.Message}", requestDescription: requestDescription);
        }

        return document;
    }

    private static decimal? Decimal(JsonElement root, string name) =>
        root.Property(name) is { } value && decimal.TryParse(Json.AsText(value), NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            ? number
            : null;
}
