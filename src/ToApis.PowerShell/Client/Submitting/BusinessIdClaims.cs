using System;
using System.Collections.Generic;
using ToApis.Client.Wire;

namespace ToApis.Client.Submitting;

/// <summary>What a row's client_business_id means given the rows before it in the same command.</summary>
internal enum BusinessIdClaim
{
    /// <summary>No earlier row of this command used the id.</summary>
    First,

    /// <summary>An earlier row asked for the same request under this id: its task serves both.</summary>
    SameRequest,

    /// <summary>An earlier row asked for a different request under this id: one id cannot name two tasks.</summary>
    Conflict,
}

/// <summary>
/// One task per client_business_id per command: a service (and a rerun) finds tasks by this id, so two rows that
/// give the same id for different requests would silently share one image. Ids given by the user are checked
/// here before anything is sent; ids derived from -RunKey are unique per request already.
/// </summary>
internal sealed class BusinessIdClaims
{
    private readonly Dictionary<string, (int Row, string Request)> _claims = new(StringComparer.Ordinal);

    /// <summary>Claims <paramref name="businessId"/> for row <paramref name="row"/>; says what it means and which row claimed it first.</summary>
    public (BusinessIdClaim Claim, int FirstRow) Claim(string businessId, GenerationRequest request, IEnumerable<byte[]> localReferenceContents, int row)
    {
        var fingerprint = RequestFingerprint.ContentHash(request, localReferenceContents);
        if (!_claims.TryGetValue(businessId, out var first))
        {
            _claims[businessId] = (row, fingerprint);
            return (BusinessIdClaim.First, row);
        }

        return (first.Request == fingerprint ? BusinessIdClaim.SameRequest : BusinessIdClaim.Conflict, first.Row);
    }
}
