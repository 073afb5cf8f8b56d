using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.Management.Automation;
using System.Security;

namespace ToApis.Binding;

/// <summary>
/// Takes request headers as each host hands them to a script: a hashtable (Azure Functions' <c>$Request.Headers</c>),
/// a NameValueCollection (HttpListener's and Pode's <c>Request.Headers</c>), .NET HttpHeaders, or an object whose
/// properties are headers (ConvertFrom-Json). Names keep their case; the verifier compares them case-insensitively.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
internal sealed class WebhookHeadersTransformationAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        switch (inputData)
        {
            case PSObject { BaseObject: PSCustomObject } custom:
                var properties = new Hashtable(StringComparer.OrdinalIgnoreCase);
                foreach (var property in custom.Properties)
                {
                    properties[property.Name] = property.Value;
                }

                return properties;
            case PSObject wrapped:
                return Transform(engineIntrinsics, wrapped.BaseObject);
            case NameValueCollection collection:
                var headers = new Hashtable(StringComparer.OrdinalIgnoreCase);
                foreach (string? name in collection.Keys)
                {
                    if (name is not null)
                    {
                        headers[name] = string.Join(",", collection.GetValues(name) ?? Array.Empty<string>());
                    }
                }

                return headers;
            case IEnumerable<KeyValuePair<string, IEnumerable<string>>> httpHeaders:
                var copied = new Hashtable(StringComparer.OrdinalIgnoreCase);
                foreach (var header in httpHeaders)
                {
                    copied[header.Key] = string.Join(",", header.Value);
                }

                return copied;
            default:
                return inputData;
        }
    }
}

/// <summary>
/// Lets -Secret take the signing secret as a SecureString or as plain text (an app setting read from
/// <c>$env:</c>), one or several. The value is never echoed, not even when it is refused.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
internal sealed class SecretTransformationAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var secrets = new List<SecureString>();
        Collect(inputData, secrets);
        return secrets.ToArray();
    }

    private static void Collect(object? value, List<SecureString> secrets)
    {
        switch (value)
        {
            case null:
                return;
            case PSObject wrapped:
                Collect(wrapped.BaseObject, secrets);
                return;
            case SecureString secure:
                secrets.Add(secure);
                return;
            case string text:
                secrets.Add(ApiKeyTransformationAttribute.ToSecureString(text));
                return;
            case IEnumerable items:
                foreach (var item in items)
                {
                    Collect(item, secrets);
                }

                return;
            default:
                throw new ArgumentTransformationMetadataException(
                    $"-Secret takes the token's webhook signing secret as a string or a SecureString, not a {value.GetType().Name}.");
        }
    }
}
