using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.Linq;
using System.Management.Automation;
using System.Security;

namespace ToApis.Binding;

/// <summary>
/// Takes request headers as each host hands them to a script: a hashtable (Azure Functions' <c>$Request.Headers</c>),
/// a NameValueCollection (HttpListener's and Pode's <c>Request.Headers</c>), .NET HttpHeaders, or an object whose
/// properties are headers (ConvertFrom-Json), as one hashtable of text values (several joined by commas, as HTTP
/// does). Names keep their case; the verifier compares them case-insensitively.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
internal sealed class WebhookHeadersTransformationAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        if (Entries(inputData is PSObject { BaseObject: not PSCustomObject } wrapped ? wrapped.BaseObject : inputData) is not { } entries)
        {
            return inputData;
        }

        var headers = new Hashtable();
        foreach (var (name, value) in entries)
        {
            headers[name] = Text(value);
        }

        return headers;
    }

    private static IEnumerable<(string Name, object? Value)>? Entries(object? headers) => headers switch
    {
        PSObject custom => custom.Properties.Select(property => (property.Name, (object?)property.Value)),
        NameValueCollection collection => collection.AllKeys.OfType<string>().Select(name => (name, (object?)(collection.GetValues(name) ?? []))),
        IEnumerable<KeyValuePair<string, IEnumerable<string>>> httpHeaders => httpHeaders.Select(header => (header.Key, (object?)header.Value)),
        IDictionary dictionary => dictionary.Cast<DictionaryEntry>().Select(entry => (LanguagePrimitives.ConvertTo<string>(entry.Key), (object?)entry.Value)),
        _ => null,
    };

    private static string? Text(object? value) => (value is PSObject wrapped ? wrapped.BaseObject : value) switch
    {
        null => null,
        string text => text,
        IEnumerable values => string.Join(",", values.Cast<object?>().Select(LanguagePrimitives.ConvertTo<string>)),
        var other => LanguagePrimitives.ConvertTo<string>(other),
    };
}

/// <summary>
/// Lets -Secret take the signing secret as a SecureString or as plain text (an app setting read from
/// <c>$env:</c>), one or several. The value is never echoed, not even when it is refused.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
internal sealed class SecretTransformationAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData) => Secrets(inputData).ToArray();

    private static IEnumerable<SecureString> Secrets(object? value) => value switch
    {
        null => [],
        PSObject wrapped => Secrets(wrapped.BaseObject),
        SecureString secure => [secure],
        string text => [ApiKeyTransformationAttribute.ToSecureString(text)],
        IEnumerable items => items.Cast<object?>().SelectMany(Secrets),
        _ => throw new ArgumentTransformationMetadataException(
            $"-Secret takes the token's webhook signing secret as a string or a SecureString, not a {value.GetType().Name}."),
    };
}
