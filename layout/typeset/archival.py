"""What an archive PDF claims to be, written once for every file that claims it.

The archive editions, the leaflets, the cover notes and the bound volumes are PDF/A-2 level A
(ISO 19005-2, archival: fonts embedded, colours calibrated, tagged) and PDF/UA-1 (ISO 14289-1,
accessible) in the same file. WeasyPrint writes one variant per file; ``declare`` puts both
identifications in a file's XMP packet, with the extension schema PDF/A asks for any property
outside its predefined schemas (ISO 19005-2, 6.6.2.3): ``pdfuaid`` is one.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

PDFA_PART, PDFA_CONFORMANCE = 2, "A"
PDFUA_PART = 1

NS = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "xmpMM": "http://ns.adobe.com/xap/1.0/mm/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
    "pdfuaid": "http://www.aiim.org/pdfua/ns/id/",
    "pdfaExtension": "http://www.aiim.org/pdfa/ns/extension/",
    "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#",
    "pdfaProperty": "http://www.aiim.org/pdfa/ns/property#",
}
for _prefix, _uri in NS.items():
    ET.register_namespace(_prefix, _uri)

HEADER = b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
FOOTER = b'\n<?xpacket end="r"?>'
CLAIMED = (NS["pdfaid"], NS["pdfuaid"], NS["pdfaExtension"])

# ISO 19005-2 6.6.2.3.1: a property of a schema PDF/A does not predefine is described in the
# packet itself. The wording is the one ISO 14289-1 (annex A) gives for it.
PDFUA_SCHEMA = f"""<rdf:Description xmlns:rdf="{NS["rdf"]}" xmlns:pdfaExtension="{NS["pdfaExtension"]}"
 xmlns:pdfaSchema="{NS["pdfaSchema"]}" xmlns:pdfaProperty="{NS["pdfaProperty"]}" rdf:about="">
 <pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
  <pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
  <pdfaSchema:namespaceURI>{NS["pdfuaid"]}</pdfaSchema:namespaceURI>
  <pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
  <pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">
   <pdfaProperty:name>part</pdfaProperty:name>
   <pdfaProperty:valueType>Integer</pdfaProperty:valueType>
   <pdfaProperty:category>internal</pdfaProperty:category>
  <pdfaProperty:description>Indicates, which part of ISO 14289 standard is followed</pdfaProperty:description>
  </rdf:li></rdf:Seq></pdfaSchema:property>
 </rdf:li></rdf:Bag></pdfaExtension:schemas>
</rdf:Description>"""


def declare(packet: bytes) -> bytes:
    """The XMP ``packet`` claiming PDF/A-2a and PDF/UA-1, and nothing else of either.

    Any identification already in it (WeasyPrint writes its variant's) is taken out first, so
    that each file says each thing once.
    """
    body = re.sub(rb"<\?xpacket[^>]*\?>", b"", packet).strip()
    meta = ET.fromstring(body)
    rdf = meta if meta.tag == f"{{{NS['rdf']}}}RDF" else meta.find("rdf:RDF", NS)
    for description in list(rdf):
        for name in [
            name for name in description.attrib if name.startswith(tuple(f"{{{u}}}" for u in CLAIMED))
        ]:
            del description.attrib[name]
        for child in [
            child for child in description if child.tag.startswith(tuple(f"{{{u}}}" for u in CLAIMED))
        ]:
            description.remove(child)
        if not len(description) and set(description.attrib) <= {f"{{{NS['rdf']}}}about"}:
            rdf.remove(description)
    claim = ET.SubElement(rdf, f"{{{NS['rdf']}}}Description", {f"{{{NS['rdf']}}}about": ""})
    ET.SubElement(claim, f"{{{NS['pdfaid']}}}part").text = str(PDFA_PART)
    ET.SubElement(claim, f"{{{NS['pdfaid']}}}conformance").text = PDFA_CONFORMANCE
    ET.SubElement(claim, f"{{{NS['pdfuaid']}}}part").text = str(PDFUA_PART)
    rdf.append(ET.fromstring(PDFUA_SCHEMA))
    if meta is rdf:
        meta = ET.Element(f"{{{NS['x']}}}xmpmeta")
        meta.append(rdf)
    return HEADER + ET.tostring(meta, encoding="utf-8", xml_declaration=False) + FOOTER
