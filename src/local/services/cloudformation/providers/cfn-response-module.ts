/**
 * The `cfn-response` module AWS puts next to inline (`ZipFile`) Node.js code: `send(event, context,
 * status, data, physicalResourceId, noEcho, reason)` PUTs the response to the event's ResponseURL. This
 * one speaks http too, since the local ResponseURL is on the local endpoint.
 */
export const CFN_RESPONSE_MODULE = `'use strict';
exports.SUCCESS = 'SUCCESS';
exports.FAILED = 'FAILED';
exports.send = function (event, context, responseStatus, responseData, physicalResourceId, noEcho, reason) {
  return new Promise(function (resolve, reject) {
    var body = JSON.stringify({
      Status: responseStatus,
      Reason: reason || ('See the details in CloudWatch Log Stream: ' + context.logStreamName),
      PhysicalResourceId: physicalResourceId || context.logStreamName,
      StackId: event.StackId,
      RequestId: event.RequestId,
      LogicalResourceId: event.LogicalResourceId,
      NoEcho: noEcho || false,
      Data: responseData,
    });
    var url = new URL(event.ResponseURL);
    var client = require(url.protocol === 'https:' ? 'https' : 'http');
    var request = client.request(url, { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) } }, function (response) {
      response.resume();
      response.on('end', function () { if (context.done) context.done(); resolve(); });
    });
    request.on('error', function (error) { console.log('send(..) failed executing https.request(..): ' + error); if (context.done) context.done(); reject(error); });
    request.end(body);
  });
};
`;
